//! Semantic versions (SemVer 2.0.0): `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
//!
//! Numeric parts have no leading zeros and fit in u64; pre-release and build identifiers are non-empty
//! `[0-9A-Za-z-]`, numeric pre-release identifiers have no leading zeros. Ordering is SemVer precedence:
//! build metadata is ignored, a pre-release sorts before its release, identifiers compare numerically when
//! both are numeric, numeric sorts before alphanumeric, and a longer list wins a tie. A model's versions must be
//! strictly increasing under this order, so `1.0.0+a` after `1.0.0+b` is rejected as not greater.

use core::cmp::Ordering;

use crate::errors::RegistryError;
use crate::limits::VERSION_MAX_LEN;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: Vec<String>,
}

impl Version {
    pub fn parse(field: &str, s: &str) -> Result<Self, RegistryError> {
        let err = |reason: &str| RegistryError::InvalidSemver {
            field: field.to_string(),
            value: s.to_string(),
            reason: reason.to_string(),
        };
        if s.len() > VERSION_MAX_LEN {
            return Err(RegistryError::TooLong {
                field: field.to_string(),
                len: s.len(),
                max: VERSION_MAX_LEN,
            });
        }
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut nums = core.split('.');
        let mut next = |name: &str| -> Result<u64, RegistryError> {
            let part = nums
                .next()
                .ok_or_else(|| err("expected MAJOR.MINOR.PATCH"))?;
            parse_numeric(part).ok_or_else(|| {
                err(&format!(
                    "{name} must be an unsigned 64-bit number without leading zeros"
                ))
            })
        };
        let major = next("major")?;
        let minor = next("minor")?;
        let patch = next("patch")?;
        if nums.next().is_some() {
            return Err(err("expected MAJOR.MINOR.PATCH"));
        }
        let mut pre_ids = Vec::new();
        if let Some(pre) = pre {
            for id in pre.split('.') {
                check_identifier(id).map_err(|r| err(&format!("pre-release {r}")))?;
                if id.bytes().all(|b| b.is_ascii_digit()) && parse_numeric(id).is_none() {
                    return Err(err(
                        "numeric pre-release identifiers must not have leading zeros",
                    ));
                }
                pre_ids.push(id.to_string());
            }
        }
        if let Some(build) = build {
            for id in build.split('.') {
                check_identifier(id).map_err(|r| err(&format!("build metadata {r}")))?;
            }
        }
        Ok(Self {
            major,
            minor,
            patch,
            pre: pre_ids,
        })
    }
}

fn parse_numeric(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

fn check_identifier(id: &str) -> Result<(), &'static str> {
    if id.is_empty() {
        return Err("identifiers must not be empty");
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err("identifiers may only contain [0-9A-Za-z-]");
    }
    Ok(())
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_pre(&self.pre, &other.pre),
            })
    }
}

fn cmp_pre(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse("version", s).unwrap()
    }

    #[test]
    fn precedence_follows_semver_2() {
        let ordered = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
            "10.0.0",
        ];
        for w in ordered.windows(2) {
            assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(v("1.0.0+build.1").cmp(&v("1.0.0+build.2")), Ordering::Equal);
    }

    #[test]
    fn malformed_versions_are_rejected_with_reason() {
        let cases = [
            ("1.0", "expected MAJOR.MINOR.PATCH"),
            ("1.0.0.0", "expected MAJOR.MINOR.PATCH"),
            (
                "01.0.0",
                "major must be an unsigned 64-bit number without leading zeros",
            ),
            (
                "1.x.0",
                "minor must be an unsigned 64-bit number without leading zeros",
            ),
            (
                "1.0.",
                "patch must be an unsigned 64-bit number without leading zeros",
            ),
            (
                "v1.0.0",
                "major must be an unsigned 64-bit number without leading zeros",
            ),
            ("1.0.0-", "pre-release identifiers must not be empty"),
            (
                "1.0.0-01",
                "numeric pre-release identifiers must not have leading zeros",
            ),
            (
                "1.0.0-a_b",
                "pre-release identifiers may only contain [0-9A-Za-z-]",
            ),
            ("1.0.0+", "build metadata identifiers must not be empty"),
            (
                "99999999999999999999.0.0",
                "major must be an unsigned 64-bit number without leading zeros",
            ),
        ];
        for (input, reason) in cases {
            assert_eq!(
                Version::parse("version", input).unwrap_err().to_string(),
                format!("invalid semver '{input}' in version: {reason}"),
            );
        }
    }
}
