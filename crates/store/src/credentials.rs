//! Secrets: password hashes (argon2id) and random tokens, of which only
//! hashes are stored.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::StoreError;

/// Runs argon2 off the async workers: each hash or verification takes a
/// blocking thread (`spawn_blocking`) and one of as many permits as the
/// machine has cores, so a burst of sign-ins queues here instead of
/// stalling every other request (docs/benchmarks.md has the measurement).
/// Whole password checks (reservation, verification, record) are admitted
/// as many at a time as well, so that a burst does not also take every
/// database connection while it waits for argon2.
#[derive(Debug, Clone)]
pub(crate) struct Hasher {
    permits: Arc<Semaphore>,
    checks: Arc<Semaphore>,
    verifications: Arc<AtomicU64>,
}

impl Hasher {
    pub(crate) fn new() -> Hasher {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            checks: Arc::new(Semaphore::new(cores)),
            verifications: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Waits for a place for one whole password check (sign-in or password change).
    pub(crate) async fn admit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, StoreError> {
        self.checks
            .acquire()
            .await
            .map_err(|_| StoreError::Unsupported("password checks have stopped".into()))
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unsupported("password hashing has stopped".into()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| StoreError::Unsupported(format!("password hashing failed: {e}")))
    }

    pub(crate) async fn hash(&self, password: &str) -> Result<String, StoreError> {
        let password = password.to_string();
        self.run(move || hash_password(&password)).await
    }

    /// Verifies against a stored hash, or against a dummy one when there is
    /// none (an unknown user), so that both take the same time.
    pub(crate) async fn verify(
        &self,
        password: &str,
        phc: Option<String>,
    ) -> Result<bool, StoreError> {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let password = password.to_string();
        self.run(move || match phc {
            Some(phc) => verify_password(&password, &phc),
            None => {
                verify_password(&password, dummy_hash());
                false
            }
        })
        .await
    }

    pub(crate) fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

/// Hashes a password with argon2id and a random salt (PHC string format).
fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail on a bounded password")
        .to_string()
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to compare against when the user does not exist, so that a wrong
/// username takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such user, no such password"))
}

/// A random secret of 32 bytes, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A readable one-time password for a new account.
pub fn random_password() -> String {
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Session and API tokens are high-entropy, so a fast hash is enough to keep
/// a stolen database from yielding usable tokens.
pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a phc string"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_hasher_runs_argon2_on_blocking_threads_and_counts_verifications() {
        let hasher = Hasher::new();
        let phc = hasher.hash("correct horse battery").await.unwrap();
        assert!(
            hasher
                .verify("correct horse battery", Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("wrong", Some(phc)).await.unwrap());
        assert!(!hasher.verify("anything", None).await.unwrap());
        assert_eq!(hasher.verifications(), 3);
    }

    #[test]
    fn salts_differ_between_hashes() {
        assert_ne!(
            hash_password("same password"),
            hash_password("same password")
        );
    }

    #[test]
    fn secrets_are_long_and_distinct() {
        let a = random_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_secret());
    }
}
