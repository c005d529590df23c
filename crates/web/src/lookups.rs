//! Platforms' hash lookups: limited per API token, and audited in aggregate.
//!
//! A platform sends millions of signals a day, so a lookup is not an audit
//! record of its own: each node tallies, per caller per minute, how many
//! signals were looked up and how many matched, and per hash per day how
//! often it matched; a flusher writes the tallies of finished minutes every
//! few seconds (one audit record per caller per minute, and the hashes' daily
//! counts for their pages). What a node had not yet flushed when it is killed
//! — at most the last minute — is lost; it is a count, never a decision.
//!
//! The limit is a token bucket per caller (an API token, or a signed-in
//! user) on each node, in signals: `hash_lookups_per_minute` refill a bucket
//! that holds as many. A batch that would overdraw it is refused whole with
//! 429 and how long to wait. With several nodes behind a balancer each has
//! its own buckets, so a caller's limit is per node.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use accord_store::hash_banks::LookupMinute;
use accord_store::{Actor, Store};

use crate::context::{Auth, Ctx};

/// Who is counted: an API token, or a user signed in in a browser.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Caller {
    Token(i64),
    User(i64),
}

impl Caller {
    pub fn of(ctx: &Ctx) -> Option<Caller> {
        match (&ctx.auth, &ctx.user) {
            (Auth::Token { id, .. }, _) => Some(Caller::Token(*id)),
            (_, Some(u)) => Some(Caller::User(u.id)),
            _ => None,
        }
    }
}

struct Bucket {
    /// Signals that may still be looked up.
    level: f64,
    last_ms: i64,
}

#[derive(Default)]
struct Tally {
    actor: Option<Actor>,
    signals: u64,
    matched: u64,
}

#[derive(Default)]
struct Inner {
    buckets: HashMap<Caller, Bucket>,
    minutes: BTreeMap<(i64, Caller), Tally>,
    /// (hash id, day) → matches.
    days: HashMap<(i64, String), u64>,
}

pub struct Lookups {
    per_minute: u64,
    /// The tally period in milliseconds: a minute, shorter in tests.
    period_ms: i64,
    inner: Mutex<Inner>,
}

fn day_of(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
}

impl Lookups {
    pub fn new(per_minute: u64, period: Duration) -> Lookups {
        Lookups {
            per_minute: per_minute.max(1),
            period_ms: i64::try_from(period.as_millis()).unwrap_or(60_000).max(1),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn minute_of(&self, ms: i64) -> i64 {
        ms - ms.rem_euclid(self.period_ms)
    }

    /// Takes `signals` from the caller's bucket, or says how many seconds
    /// until the batch would fit. A batch larger than the whole minute's
    /// allowance is refused for good (`u64::MAX`).
    pub fn admit(&self, caller: &Caller, signals: u64, now_ms: i64) -> Result<(), u64> {
        let capacity = self.per_minute as f64;
        let want = signals as f64;
        if want > capacity {
            return Err(u64::MAX);
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = inner.buckets.entry(caller.clone()).or_insert(Bucket {
            level: capacity,
            last_ms: now_ms,
        });
        let elapsed = (now_ms - bucket.last_ms).max(0) as f64;
        bucket.level = (bucket.level + elapsed * capacity / 60_000.0).min(capacity);
        bucket.last_ms = now_ms;
        if bucket.level >= want {
            bucket.level -= want;
            Ok(())
        } else {
            let missing = want - bucket.level;
            Err(((missing * 60.0 / capacity).ceil() as u64).max(1))
        }
    }

    /// Counts one lookup: its signals, how many matched, and each matched hash.
    pub fn record(
        &self,
        caller: &Caller,
        actor: &Actor,
        signals: u64,
        matched: u64,
        hashes: impl IntoIterator<Item = i64>,
        now_ms: i64,
    ) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let t = inner
            .minutes
            .entry((self.minute_of(now_ms), caller.clone()))
            .or_default();
        t.actor.get_or_insert_with(|| actor.clone());
        t.signals += signals;
        t.matched += matched;
        let day = day_of(now_ms);
        for h in hashes {
            *inner.days.entry((h, day.clone())).or_default() += 1;
        }
    }

    /// What is ready to write: the minutes that ended before `now_ms` (all of
    /// them when `all`) and every hash count so far.
    fn take(&self, now_ms: i64, all: bool) -> (Vec<LookupMinute>, Vec<(i64, String, u64)>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.minute_of(now_ms);
        let done: Vec<(i64, Caller)> = inner
            .minutes
            .keys()
            .filter(|(m, _)| all || *m < current)
            .cloned()
            .collect();
        let minutes = done
            .into_iter()
            .filter_map(|k| {
                let t = inner.minutes.remove(&k)?;
                Some(LookupMinute {
                    actor: t.actor?,
                    token_id: match k.1 {
                        Caller::Token(id) => Some(id),
                        Caller::User(_) => None,
                    },
                    minute: k.0,
                    signals: t.signals,
                    matched: t.matched,
                })
            })
            .collect();
        let days = inner.days.drain().map(|((h, d), n)| (h, d, n)).collect();
        // Buckets full again are forgotten, so idle callers cost no memory.
        let per_ms = self.per_minute as f64 / 60_000.0;
        let capacity = self.per_minute as f64;
        inner
            .buckets
            .retain(|_, b| b.level + (now_ms - b.last_ms).max(0) as f64 * per_ms < capacity);
        (minutes, days)
    }

    /// Writes what is ready; on failure the tallies are put back to try again.
    pub async fn flush(&self, store: &Store, now_ms: i64, all: bool) {
        let (minutes, days) = self.take(now_ms, all);
        if minutes.is_empty() && days.is_empty() {
            return;
        }
        if let Err(e) = store.record_lookups(&minutes, &days).await {
            tracing::warn!(error = %e, "could not write the lookup tallies; retrying");
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            for m in minutes {
                let caller = match m.token_id {
                    Some(id) => Caller::Token(id),
                    None => Caller::User(m.actor.id.unwrap_or_default()),
                };
                let t = inner.minutes.entry((m.minute, caller)).or_default();
                t.actor.get_or_insert(m.actor);
                t.signals += m.signals;
                t.matched += m.matched;
            }
            for (h, d, n) in days {
                *inner.days.entry((h, d)).or_default() += n;
            }
        }
    }

    /// Flushes every `every` on this node (each node tallies its own).
    pub fn spawn_flusher(self: &std::sync::Arc<Self>, store: Store, every: Duration) {
        let me = std::sync::Arc::clone(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                me.flush(&store, accord_store::now_ms(), false).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_over_the_minute_and_refuses_what_does_not_fit() {
        let l = Lookups::new(6_000, Duration::from_secs(60));
        let c = Caller::Token(1);
        assert!(l.admit(&c, 6_000, 0).is_ok());
        assert_eq!(
            l.admit(&c, 1_000, 0),
            Err(10),
            "a sixth of a minute to refill 1,000"
        );
        assert!(l.admit(&c, 1_000, 10_000).is_ok());
        assert_eq!(l.admit(&c, 6_001, 60_000), Err(u64::MAX), "never fits");
        assert!(
            l.admit(&Caller::Token(2), 6_000, 10_000).is_ok(),
            "buckets are per caller"
        );
    }

    #[test]
    fn minutes_are_written_once_they_end_and_hash_counts_by_day() {
        let l = Lookups::new(1_000_000, Duration::from_secs(60));
        let c = Caller::Token(7);
        let a = Actor::system("platform");
        l.record(&c, &a, 1000, 3, [5, 5, 9], 61_000);
        l.record(&c, &a, 500, 0, [], 62_000);
        let (minutes, days) = l.take(90_000, false);
        assert!(minutes.is_empty(), "the minute is not over");
        assert_eq!(days.len(), 2);
        let (minutes, _) = l.take(120_000, false);
        assert_eq!(minutes.len(), 1);
        assert_eq!(
            (minutes[0].signals, minutes[0].matched, minutes[0].minute),
            (1500, 3, 60_000)
        );
        assert_eq!(minutes[0].token_id, Some(7));
    }
}
