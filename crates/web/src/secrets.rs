//! Random tokens and their hashes, password hashing (argon2id) and TOTP codes.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Builder, Secret, Totp};

/// A random token of 32 bytes, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a token, as stored in the database (tokens are never stored in clear).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id and the crate's default cost (19 MiB, 2 passes, 1 lane:
/// OWASP's recommendation). CPU-heavy: call from a blocking task.
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .expect("argon2 with default parameters")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// A hash to verify against when the user does not exist, so that the answer takes as long.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("a password nobody has"))
}

/// Argon2 runs at most once per core at a time: more would only share the cores and the
/// memory (19 MiB each) and make every login slower.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        tokio::sync::Semaphore::new(cores)
    })
}

pub async fn hash_password_async(password: String) -> String {
    let _slot = hashing_slots()
        .acquire()
        .await
        .expect("semaphore never closed");
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing task")
}

pub async fn verify_password_async(password: String, hash: Option<String>) -> bool {
    let _slot = hashing_slots()
        .acquire()
        .await
        .expect("semaphore never closed");
    tokio::task::spawn_blocking(move || {
        let hash = hash.as_deref().unwrap_or_else(|| dummy_hash());
        verify_password(&password, hash)
    })
    .await
    .unwrap_or(false)
}

/// A new TOTP secret (160 bits), base32-encoded as authenticator applications expect.
pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::new(Box::new(bytes)).to_base32()
}

fn totp(secret_base32: &str, account: &str, issuer: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some(issuer))
        .build()
        .ok()
}

/// The time step matched by `code` (±1 step of 30 s), if any.
pub fn check_totp(secret_base32: &str, code: &str, unix_time: u64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret_base32, "x", "SPSTI")?
        .check(&code, unix_time)
        .and_then(|step| i64::try_from(step).ok())
}

/// The current code, for tests and the CLI.
pub fn totp_code(secret_base32: &str, unix_time: u64) -> Option<String> {
    Some(
        totp(secret_base32, "x", "SPSTI")?
            .generate(unix_time)
            .to_string(),
    )
}

/// The `otpauth://` address shown as a QR code during enrolment.
pub fn totp_url(secret_base32: &str, account: &str, issuer: &str) -> Option<String> {
    totp(secret_base32, account, issuer)?.to_url().ok()
}

/// A QR code as an inline SVG document.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build(),
    )
}

/// A code such as `7KQ2-M9XD-4PAT` of `groups` groups of four unambiguous characters.
pub fn readable_code(groups: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..groups)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Ten single-use recovery codes such as `7KQ2-M9XD`, and their hashes.
pub fn recovery_codes() -> Vec<(String, String)> {
    (0..10)
        .map(|_| {
            let code = readable_code(2);
            let hash = token_hash(&normalise_recovery_code(&code));
            (code, hash)
        })
        .collect()
}

/// Recovery codes are compared without dash, spaces or case.
pub fn normalise_recovery_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_round_trip() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn totp_codes_match_their_step_only() {
        let secret = new_totp_secret();
        let t = 1_800_000_000;
        let code = totp_code(&secret, t).unwrap();
        assert_eq!(check_totp(&secret, &code, t), Some((t / 30) as i64));
        assert_eq!(check_totp(&secret, &code, t + 600), None);
        assert!(
            totp_url(&secret, "doc", "SPSTI")
                .unwrap()
                .starts_with("otpauth://totp/")
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalised() {
        let codes = recovery_codes();
        assert_eq!(codes.len(), 10);
        let (code, hash) = &codes[0];
        assert_eq!(
            token_hash(&normalise_recovery_code(&code.to_lowercase())),
            *hash
        );
    }
}
