//! Properties of what every store builds on (id and handle validation, the stored payload, time
//! as stores keep it): they hold for any input, and no input makes them panic.

use std::collections::BTreeMap;

use authly_session::store_kit::{
    Clock, MAX_EXPIRY_MICROS, MAX_SESSION_ID_LEN, check_expiry, decode_payload, encode_payload,
    from_unix_micros, is_valid_handle, is_valid_session_id, max_expiry, stored_handle,
    to_unix_micros, truncate_to_micros, validate_session_id,
};
use authly_session::{Identity, Session, SessionError, session_handle};
use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

/// The documented id grammar, written independently of the validator: 1 to 128 bytes of
/// visible ASCII.
fn id_grammar(id: &str) -> bool {
    (1..=MAX_SESSION_ID_LEN).contains(&id.len()) && id.bytes().all(|b| (b'!'..=b'~').contains(&b))
}

/// Strings near the id grammar's edges: visible ASCII with now and then a space, a control
/// character or a non-ASCII one, of 0 to 140 bytes; and arbitrary strings.
fn id_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[!-~]{0,140}",
        "[!-~]{120,130}",
        "[!-~ \t\u{0}\u{7f}é😀]{0,20}",
        any::<String>(),
    ]
}

/// Any string a provider, an application or a user could put into an identity or metadata:
/// arbitrary Unicode (NUL and emoji included), JSON metacharacters, and now and then a long one.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "[\u{0}\"\\\\{}\\[\\]:,/'%_😀\u{202e}\u{5d0}a-z]{0,24}",
        1 => ("[\u{0}😀a\"\\\\]{1,3}", 1_000usize..20_000).prop_map(|(s, n)| s.repeat(n)),
    ]
}

fn identity() -> impl Strategy<Value = Identity> {
    (
        text(),
        text(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::collection::hash_map(text(), text(), 0..4),
    )
        .prop_map(|(provider, external, email, username, attributes)| {
            let mut identity = Identity::new(provider, external);
            identity.email = email;
            identity.username = username;
            identity.attributes = attributes;
            identity
        })
}

fn metadata() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(text(), text(), 0..4)
}

/// Any time `chrono` can represent, with nanoseconds.
fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    let (min, max) = (
        DateTime::<Utc>::MIN_UTC.timestamp(),
        DateTime::<Utc>::MAX_UTC.timestamp(),
    );
    prop_oneof![
        (min..=max, 0u32..1_000_000_000),
        (-100_000_000_000i64..300_000_000_000, 0u32..1_000_000_000),
    ]
    .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap_or(DateTime::UNIX_EPOCH))
}

/// Any duration `chrono` can represent, biased towards the edges and towards everyday sizes.
fn any_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (any::<i64>(), 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| Duration::new(secs, nanos).unwrap_or(Duration::MAX)),
        any::<i64>().prop_map(Duration::milliseconds),
        (-10_000_000_000i64..10_000_000_000).prop_map(Duration::seconds),
        Just(Duration::MAX),
        Just(Duration::MIN),
        Just(Duration::zero()),
    ]
}

/// The message every invalid id gets: one of a few fixed texts, whatever the id was.
fn id_error_messages() -> Vec<String> {
    ["", &"x".repeat(MAX_SESSION_ID_LEN + 1), " "]
        .iter()
        .map(|id| validate_session_id(id).unwrap_err().to_string())
        .collect()
}

proptest! {
    #[test]
    fn session_ids_validate_exactly_by_the_grammar(id in id_like()) {
        let valid = id_grammar(&id);
        prop_assert_eq!(is_valid_session_id(&id), valid);
        match validate_session_id(&id) {
            Ok(()) => prop_assert!(valid),
            Err(error) => {
                prop_assert!(!valid);
                prop_assert!(matches!(error, SessionError::InvalidSessionId { .. }), "{:?}", error);
                // The message is one of the fixed texts: it cannot hold any part of the id.
                prop_assert!(id_error_messages().contains(&error.to_string()));
            }
        }
        let stored = stored_handle(&id);
        prop_assert_eq!(stored.is_some(), valid);
        if let Some(handle) = stored {
            prop_assert!(is_valid_handle(&handle));
            prop_assert_eq!(handle, session_handle(&id));
        }
    }

    #[test]
    fn handles_validate_exactly_as_64_lowercase_hex_digits(
        handle in prop_oneof!["[0-9a-f]{60,68}", "[0-9a-fA-F]{64}", "[0-9a-g ]{64}", any::<String>()],
    ) {
        let expected = handle.len() == 64
            && handle.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c));
        prop_assert_eq!(is_valid_handle(&handle), expected);
    }

    #[test]
    fn every_string_has_a_valid_handle(id in any::<String>()) {
        prop_assert!(is_valid_handle(&session_handle(&id)));
    }

    #[test]
    fn decoding_arbitrary_bytes_is_corrupt_data_or_a_payload(
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        let text = String::from_utf8_lossy(&bytes);
        decodes_or_is_corrupt(&text)?;
    }

    #[test]
    fn decoding_json_like_text_is_corrupt_data_or_a_payload(
        text in prop_oneof![
            r#"\{("(v|identity|metadata|provider_id|external_id|email|username|attributes)":(1|2|3|-1|1e999|null|"x"|\{\}|\[\]|true),?){0,8}\}"#,
            r#"[{}\[\]":,0-9a-z\\ ]{0,64}"#,
        ],
    ) {
        decodes_or_is_corrupt(&text)?;
    }

    #[test]
    fn an_edited_payload_is_corrupt_data_or_a_payload(
        identity in identity(),
        metadata in metadata(),
        cut in any::<proptest::sample::Index>(),
        insert in "[{}\\[\\]\":,0-9\\\\]{0,3}",
        version in prop_oneof![Just("1"), Just("3"), Just("0"), Just("2.0"), Just("-2")],
    ) {
        let json = encode_payload(&identity, &metadata).expect("encodes");
        let at = (0..=json.len())
            .filter(|&i| json.is_char_boundary(i))
            .nth(cut.index(json.chars().count() + 1))
            .unwrap_or(json.len());
        let (head, tail) = json.split_at(at);
        decodes_or_is_corrupt(&format!("{head}{insert}{tail}"))?;
        decodes_or_is_corrupt(head)?;
        decodes_or_is_corrupt(&json.replacen("\"v\":2", &format!("\"v\":{version}"), 1))?;
    }

    #[test]
    fn payloads_round_trip_any_identity_and_metadata(
        identity in identity(),
        metadata in metadata(),
    ) {
        let json = encode_payload(&identity, &metadata).expect("a payload under 1 MiB encodes");
        prop_assert!(!json.contains('\0'), "NUL must be escaped so TEXT columns can hold it");
        let payload = decode_payload(&json, "table t").expect("our own payload decodes");
        prop_assert_eq!(payload.identity, identity);
        prop_assert_eq!(payload.metadata, metadata);
    }

    #[test]
    fn unix_micros_convert_exactly_for_any_i64(micros in prop_oneof![any::<i64>(), -1i64<<50..1i64<<50]) {
        if let Some(time) = from_unix_micros(micros) {
            prop_assert_eq!(to_unix_micros(time), micros);
            prop_assert_eq!(truncate_to_micros(time), time);
        }
    }

    #[test]
    fn any_time_survives_micros_truncated(time in any_time()) {
        let micros = to_unix_micros(time);
        let back = from_unix_micros(micros).expect("a represented time converts back");
        prop_assert_eq!(back, truncate_to_micros(time));
        prop_assert!(back <= time && time - back < Duration::microseconds(1));
    }

    #[test]
    fn expiry_is_checked_against_the_end_of_9999(time in any_time()) {
        let latest = from_unix_micros(MAX_EXPIRY_MICROS).expect("in range");
        match check_expiry(time) {
            Ok(()) => prop_assert!(time <= latest),
            Err(error) => {
                prop_assert!(time > latest);
                prop_assert!(matches!(error, SessionError::InvalidInput { .. }), "{:?}", error);
            }
        }
    }

    #[test]
    fn a_new_session_with_any_ttl_expires_within_the_supported_range(ttl in any_duration()) {
        let before = Utc::now();
        let session = Session::new(Identity::new("github", "1"), ttl);
        let after = Utc::now();
        prop_assert!(is_valid_session_id(&session.id));
        prop_assert!(check_expiry(session.expires_at).is_ok());
        prop_assert!(session.expires_at <= max_expiry());
        if ttl <= Duration::zero() {
            prop_assert!(session.is_expired());
        }
        if ttl.abs() < Duration::days(365 * 1000) {
            prop_assert_eq!(session.expires_at - session.created_at, ttl);
        }
        prop_assert!(session.created_at >= before && session.created_at <= after);
    }

    #[test]
    fn a_shifted_clock_reads_now_plus_its_clamped_offset(offset in any_duration()) {
        let limit = Duration::days(36_525);
        let clock = Clock::shifted(offset);
        prop_assert_eq!(clock.offset(), offset.clamp(-limit, limit));
        let before = Utc::now();
        let read = clock.now();
        let after = Utc::now();
        prop_assert!(read - clock.offset() >= before && read - clock.offset() <= after);
    }
}

/// `text` decodes to a payload that encodes and decodes back to itself, or is corrupt data
/// naming its context; never anything else.
fn decodes_or_is_corrupt(text: &str) -> Result<(), TestCaseError> {
    match decode_payload(text, "table probe") {
        Ok(payload) => {
            let again = encode_payload(&payload.identity, &payload.metadata)
                .map_err(|e| TestCaseError::fail(format!("re-encoding failed: {e:?}")))?;
            let back = decode_payload(&again, "table probe")
                .map_err(|e| TestCaseError::fail(format!("re-decoding failed: {e:?}")))?;
            prop_assert_eq!(back, payload);
        }
        Err(error) => {
            prop_assert!(
                matches!(error, SessionError::CorruptData { .. }),
                "{:?}",
                error
            );
            prop_assert!(error.to_string().contains("table probe"));
        }
    }
    Ok(())
}
