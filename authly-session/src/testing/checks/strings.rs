//! Semantic 11: hostile and large strings round-trip exactly.

use chrono::Duration;

use crate::testing::context::Ctx;
use crate::testing::semantic::{Semantic, ensure};
use crate::{Identity, SessionStore, session_handle};

/// Strings that break naive quoting, encoding or collation somewhere.
pub(crate) fn hostile_strings() -> Vec<String> {
    vec![
        "emoji 😀🧑‍💻 and CJK 漢字".into(),
        "right-to-left: שלום مرحبا \u{202e}reversed".into(),
        "quotes ' \" ` and backslashes \\ \\\\ \\'".into(),
        "SQL '); DROP TABLE authly_sessions; -- % _ * ?".into(),
        "JSON {\"v\":2} [1,2] \\u0000 </script>".into(),
        "control \0 NUL \u{1} \u{7} \t \r\n \u{1b}[0m \u{7f}".into(),
        " leading and trailing spaces ".into(),
        String::new(),
    ]
}

pub(crate) async fn round_trip_strings<S: SessionStore>(ctx: &Ctx<S>) {
    let run_provider = ctx.identity("strings").provider_id;
    let mut sessions = Vec::new();
    for (i, text) in hostile_strings().into_iter().enumerate() {
        let mut identity = Identity::new(format!("{run_provider}{text}"), format!("{text}{i}"));
        identity.email = Some(text.clone());
        identity.username = Some(text.clone());
        identity.attributes.insert(text.clone(), text.clone());
        sessions.push(ctx.session(&identity, Duration::hours(1)));
    }
    let mut big = Identity::new(run_provider.clone(), format!("{}\0end", "é".repeat(511)));
    big.attributes
        .insert("blob".into(), "x\"\\\0".repeat(16 * 1024));
    big.attributes.insert("plain".into(), "y".repeat(64 * 1024));
    sessions.push(ctx.session(&big, Duration::hours(1)));
    // Ids may hold any visible ASCII, metacharacters included.
    let punct = ctx.session_with_id(
        format!("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{{|}}~{}", ctx.id("")),
        &big,
        chrono::Utc::now() + Duration::hours(1),
    );
    sessions.push(punct);

    let check = ctx.check(Semantic::STRINGS);
    check.save_all(sessions.iter().collect()).await;
    for session in &sessions {
        let identity = &session.identity;
        let loaded = check
            .loaded(&session.id, "a session with hostile strings did not load")
            .await;
        ensure!(
            check,
            &loaded.identity == identity,
            "identity changed on the way through (external_id {:?})",
            truncate(&identity.external_id)
        );
        let want = session_handle(&session.id);
        ensure!(
            check,
            check
                .list(identity)
                .await
                .iter()
                .any(|i| i.handle == want && &i.identity == identity),
            "list by exact hostile strings missed the session (external_id {:?})",
            truncate(&identity.external_id)
        );
    }
    check.delete_all(sessions.iter().collect()).await;
}

fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}
