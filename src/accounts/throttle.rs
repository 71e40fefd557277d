//! Login throttling: after a few failed attempts for one account or from one address, further
//! attempts are refused for a while, whatever the password.
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per account; an address may fail more often, since a whole office can
/// share one address.
const MAX_FAILURES: u32 = 5;
const MAX_FAILURES_PER_ADDRESS: u32 = 50;
const WINDOW: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl Throttle {
    /// Err with the time left when `key` (`user:EMAIL` or `ip:ADDRESS`) is locked.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let failures = self.failures.lock().expect("throttle lock");
        let limit = if key.starts_with("ip:") {
            MAX_FAILURES_PER_ADDRESS
        } else {
            MAX_FAILURES
        };
        match failures.get(key) {
            Some((count, since)) if *count >= limit && since.elapsed() < WINDOW => {
                Err(WINDOW - since.elapsed())
            }
            _ => Ok(()),
        }
    }

    pub fn failed(&self, key: &str) {
        let mut failures = self.failures.lock().expect("throttle lock");
        let entry = failures
            .entry(key.to_owned())
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn succeeded(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn locks_after_repeated_failures() {
        let t = super::Throttle::default();
        for _ in 0..super::MAX_FAILURES {
            assert!(t.check("user:a@example.se").is_ok());
            t.failed("user:a@example.se");
        }
        assert!(t.check("user:a@example.se").is_err());
        assert!(t.check("user:b@example.se").is_ok());
    }
}
