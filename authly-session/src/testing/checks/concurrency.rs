//! Semantic 12: many tasks on overlapping ids, no errors, no torn reads.

use chrono::Duration;
use tracing::instrument::WithSubscriber;

use crate::testing::context::Ctx;
use crate::testing::semantic::Semantic;
use crate::{Identity, SessionStore};

const TASKS: usize = 64;
const IDS: usize = 8;
const ROUNDS: usize = 12;

pub(crate) async fn mixed_operations<S: SessionStore + Clone>(ctx: &Ctx<S>) {
    let ids: Vec<String> = (0..IDS)
        .map(|i| ctx.id(&format!("concurrent{i}")))
        .collect();
    for id in &ids {
        ctx.remember(id);
    }
    let provider = ctx.identity("concurrency").provider_id;
    let mut tasks = Vec::with_capacity(TASKS);
    for task in 0..TASKS {
        let store = ctx.store.clone();
        let ids = ids.clone();
        let provider = provider.clone();
        let work = async move {
            for round in 0..ROUNDS {
                let id = &ids[(task + round) % IDS];
                match (task + round) % 4 {
                    0 | 1 => {
                        let mut identity =
                            Identity::new(provider.clone(), format!("writer-{task}-{round}"));
                        identity
                            .attributes
                            .insert("payload".into(), "p".repeat(64 * (task % 5)));
                        let session = crate::Session {
                            id: id.clone(),
                            ..crate::Session::new(identity, Duration::hours(1))
                        };
                        store
                            .save_session(&session)
                            .await
                            .map_err(|e| format!("save: {e}"))?;
                    }
                    2 => {
                        if let Some(loaded) = store
                            .load_session(id)
                            .await
                            .map_err(|e| format!("load: {e}"))?
                        {
                            let external = &loaded.identity.external_id;
                            let well_formed = loaded.identity.provider_id == provider
                                && external.starts_with("writer-")
                                && loaded
                                    .identity
                                    .attributes
                                    .get("payload")
                                    .is_some_and(|p| p.bytes().all(|b| b == b'p'));
                            if !well_formed || loaded.id != *id {
                                return Err(format!(
                                    "load saw a version nobody wrote: {external:?}"
                                ));
                            }
                        }
                    }
                    _ => store
                        .delete_session(id)
                        .await
                        .map_err(|e| format!("delete: {e}"))?,
                }
            }
            Ok::<(), String>(())
        };
        tasks.push(tokio::spawn(work.with_current_subscriber()));
    }
    let check = ctx.check(Semantic::CONCURRENCY);
    for task in tasks {
        match task.await {
            Ok(Ok(())) => {}
            Ok(Err(message)) => check.fail(message),
            Err(join) => check.fail(format_args!("a task panicked: {join}")),
        }
    }
    for id in &ids {
        check.delete(id).await;
    }
}
