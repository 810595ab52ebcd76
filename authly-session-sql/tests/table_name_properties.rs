//! Semantic 13 for any string: a table name either matches the documented grammar
//! (`[A-Za-z_][A-Za-z0-9_]{0,62}`, PostgreSQL also `schema.table`) or is an
//! `InvalidConfiguration` error; never a panic, never anything in between.

use authly_session::SessionError;
use authly_session_sql::TableName;
use proptest::prelude::*;

/// The grammar of one part, written independently of the validator.
fn part_grammar(part: &str) -> bool {
    let mut chars = part.chars();
    let first = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first && part.len() <= 63 && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names near the grammar's edges (lengths 62 to 65, a digit first, a dot, quotes, non-ASCII)
/// and arbitrary strings.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z_][A-Za-z0-9_]{0,66}",
        "[A-Za-z_][A-Za-z0-9_]{60,64}",
        "[A-Za-z0-9_.]{0,10}",
        "[A-Za-z_][A-Za-z0-9_]{0,63}\\.[A-Za-z_][A-Za-z0-9_]{0,63}",
        "[A-Za-z0-9_.\"`'; \u{0}\u{3b1}ä-]{0,16}",
        any::<String>(),
    ]
}

fn is_configuration_error(error: &SessionError) -> bool {
    matches!(error, SessionError::InvalidConfiguration { .. })
}

proptest! {
    #[test]
    fn a_plain_name_is_valid_exactly_by_the_grammar(name in name_like()) {
        match TableName::new(&name) {
            Ok(table) => {
                prop_assert!(part_grammar(&name), "{:?} accepted", name);
                prop_assert_eq!(table.name(), name.as_str());
                prop_assert_eq!(table.schema(), None);
                prop_assert_eq!(table.to_string(), name.clone());
                prop_assert_eq!(table.quoted('`'), format!("`{name}`"));
            }
            Err(error) => {
                prop_assert!(!part_grammar(&name), "{:?} refused", name);
                prop_assert!(is_configuration_error(&error), "{:?}", error);
            }
        }
    }

    #[test]
    fn a_qualified_name_is_valid_exactly_by_the_grammar(name in name_like()) {
        let expected = match name.split_once('.') {
            None => part_grammar(&name),
            Some((schema, table)) => part_grammar(schema) && part_grammar(table),
        };
        match TableName::with_optional_schema(&name) {
            Ok(table) => {
                prop_assert!(expected, "{:?} accepted", name);
                prop_assert_eq!(table.to_string(), name.clone());
                let quoted = table.quoted('"');
                prop_assert_eq!(quoted.matches('"').count(), if name.contains('.') { 4 } else { 2 });
            }
            Err(error) => {
                prop_assert!(!expected, "{:?} refused", name);
                prop_assert!(is_configuration_error(&error), "{:?}", error);
            }
        }
    }

    #[test]
    fn rendering_any_template_for_a_valid_table_never_panics(
        name in "[A-Za-z_][A-Za-z0-9_]{0,62}",
        template in prop_oneof![
            any::<String>(),
            "(authly_sessions(_[a-z]{0,8})?|authly_session_schema|[ ;,()\"é]|[a-z_]{1,5}){0,12}",
        ],
    ) {
        let table = TableName::new(&name).expect("a name of the grammar");
        let rendered = table.render(&template, '"');
        if !template.contains("authly_session") {
            prop_assert_eq!(rendered, template);
        }
        prop_assert!(table.derived_name("expires_idx").len() <= 63);
    }
}
