//! Random and stable identifiers: UUIDs, temporary passwords, audit ids.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

pub(crate) fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.finish()
}

pub(crate) fn random_password(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..len)
        .map(|_| ALPHABET[(random_u64() % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

fn fmt_uuid(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

pub(crate) fn uuid_v4() -> String {
    fmt_uuid(random_u64(), random_u64())
}

/// A stable UUID-shaped id for a name.
pub(crate) fn uuid_from(name: &str) -> String {
    let mut a: u64 = 0xcbf29ce484222325;
    let mut b: u64 = 0x9e3779b97f4a7c15;
    for byte in name.bytes() {
        a = (a ^ byte as u64).wrapping_mul(0x100000001b3);
        b = (b ^ byte as u64)
            .wrapping_mul(0x100000001b3)
            .rotate_left(13);
    }
    fmt_uuid(a, b)
}
