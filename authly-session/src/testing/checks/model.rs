//! The model-based check: random sequences of every operation over a small pool of ids and two
//! identities, applied to the store under test and to [`MemoryStore`](crate::testing::MemoryStore)
//! as the model, every result compared. A sequence that diverges is shrunk (proptest's value
//! trees, driven here because the suite is async) and reported step by step, ids shown by their
//! place in the pool.

mod op;
mod outcome;
mod world;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::super::context::Ctx;
use crate::SessionStore;
use world::World;

/// The longest sequence drawn; a run draws one of at least [`MIN_STEPS`].
const MAX_STEPS: usize = 300;

/// The shortest sequence a run starts from (shrinking may go below).
const MIN_STEPS: usize = 200;

/// The most sequences shrinking replays: enough to reach a handful of steps from a few
/// hundred, bounded so a failing backend still fails in reasonable time.
const MAX_SHRINK_RUNS: usize = 1_500;

/// The environment variable that replays a run's sequence: the seed a failure printed.
const SEED_VARIABLE: &str = "AUTHLY_MODEL_SEED";

/// Runs one random sequence of a few hundred steps against the store and the model.
///
/// # Panics
///
/// When the store and the model disagree, with the seed and the shrunk sequence.
pub(crate) async fn model_based<S: SessionStore + Clone>(ctx: &Ctx<S>) {
    let world = World::new(ctx);
    let seed = seed();
    let strategy = proptest::collection::vec(
        op::op(world.fact_variants(), world.has_lagging_instance()),
        0..=MAX_STEPS,
    );
    let mut tree = draw(&strategy, seed);
    let drawn = tree.current().len();
    let Err(mut failure) = world.run(&tree.current()).await else {
        world.reset().await;
        return;
    };

    // Shrink as proptest's runner does: simplify while it still fails, else step back.
    let mut runs = 0;
    if tree.simplify() {
        while runs < MAX_SHRINK_RUNS {
            runs += 1;
            match world.run(&tree.current()).await {
                Err(smaller) => {
                    failure = smaller;
                    if !tree.simplify() {
                        break;
                    }
                }
                Ok(_) => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
    }
    world.reset().await;
    let (trace, divergence) = failure;
    panic!(
        "conformance: model-based check: the store and the model (MemoryStore) disagree at \
         {divergence}\nseed {seed} ({SEED_VARIABLE}={seed} replays it); {drawn} steps shrunk in \
         {runs} replays to:\n  {}",
        trace.join("\n  ")
    );
}

/// The sequence `seed` draws: the first of at least [`MIN_STEPS`] steps.
fn draw<T: Strategy<Value = Vec<op::Op>>>(strategy: &T, seed: u64) -> T::Tree {
    let mut runner = TestRunner::new_with_rng(Config::default(), rng(seed));
    loop {
        let tree = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|reason| panic!("conformance: model-based check: {reason}"));
        if tree.current().len() >= MIN_STEPS {
            return tree;
        }
    }
}

/// The run's seed: [`SEED_VARIABLE`] when set, else a fresh random one.
fn seed() -> u64 {
    if let Some(seed) = std::env::var(SEED_VARIABLE)
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return seed;
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("OS random source");
    u64::from_le_bytes(bytes)
}

/// The generator for `seed`: the same seed draws the same sequence.
fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}
