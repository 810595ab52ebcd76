//! The option values both command lines take, checked alike: xtask refuses a bad value before
//! it starts any server, and `authly-bench` run by hand refuses it the same way. Messages say
//! what was expected; the parser names the value it was given.

use std::str::FromStr;

use crate::Backend;

/// The items of a comma-separated list, trimmed, blanks left out.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

/// A comma-separated list of `option`'s values, each read by `item`; at least one.
///
/// # Errors
///
/// The first item's error, or a message when the list is empty.
pub fn list<T>(
    text: &str,
    option: &str,
    item: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let values = items(text).map(item).collect::<Result<Vec<T>, String>>()?;
    if values.is_empty() {
        return Err(format!("{option} needs at least one value"));
    }
    Ok(values)
}

/// `--backend`: one backend name or several, comma-separated.
///
/// # Errors
///
/// For an unknown name (the message lists the known ones) or an empty list.
pub fn backends(text: &str) -> Result<Vec<Backend>, String> {
    list(text, "--backend", str::parse)
}

/// `--seconds`: a positive number of seconds, fractions allowed.
///
/// # Errors
///
/// For anything else.
pub fn seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 => Ok(seconds),
        _ => Err("--seconds must be a positive number".into()),
    }
}

/// A positive integer, the value of `option`.
///
/// # Errors
///
/// For anything else.
pub fn positive<T: FromStr + PartialOrd + Default>(text: &str, option: &str) -> Result<T, String> {
    match text.parse::<T>() {
        Ok(n) if n > T::default() => Ok(n),
        _ => Err(format!("{option} must be a positive integer")),
    }
}

/// `--concurrency`: positive levels, comma-separated, kept in the order given.
///
/// # Errors
///
/// For a level that is not a positive integer, or no level.
pub fn levels(text: &str) -> Result<Vec<u32>, String> {
    list(text, "--concurrency", |level| {
        positive(level, "--concurrency")
    })
}

/// A server URL: one server, or a cluster's nodes separated by commas.
pub fn urls(text: &str) -> Vec<&str> {
    items(text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_take_commas_and_need_one_item() {
        assert_eq!(
            backends("redis, sqlite,"),
            Ok(vec![Backend::Redis, Backend::Sqlite])
        );
        assert_eq!(levels("1,8,64"), Ok(vec![1, 8, 64]));
        for bad in [",", "", "0,32", "1;32", "-1"] {
            assert!(levels(bad).is_err(), "{bad:?}");
        }
        assert!(backends("db2").unwrap_err().contains("redis-cluster"));
    }

    #[test]
    fn seconds_are_positive_and_finite() {
        assert_eq!(seconds("0.5"), Ok(0.5));
        for bad in ["0", "-1", "five", "inf", "NaN"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(positive::<usize>("100", "--sessions"), Ok(100));
        assert!(positive::<u32>("0", "--rounds").is_err());
    }

    #[test]
    fn cluster_urls_split_on_commas() {
        assert_eq!(
            urls(" redis://a:1, redis://b:2,,"),
            ["redis://a:1", "redis://b:2"]
        );
        assert!(urls(" , ").is_empty());
    }
}
