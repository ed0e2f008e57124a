//! Identifier hashes: every check that keeps a set of millions of IRIs
//! (the identifier check's subjects, the linked facts of the shapes) keys it
//! by a 128-bit hash rather than the IRI, so a key takes 16 bytes whatever
//! the IRI's length.

use std::hash::{BuildHasherDefault, Hash, Hasher};

/// An IRI's 128-bit hash (XXH3-128), for sets of millions of nodes:
/// collisions are negligible (about 2^-64 at 2^32 nodes) and a key takes 16
/// bytes whatever the length of the IRI. Two words rather than a `u128` so
/// that it aligns on 8 bytes: an entry with a `u64` value takes 24 bytes,
/// not 32. XXH3 rather than keyed SipHash: the hash runs for every mapped
/// triple, and two SipHash passes over an IRI took about 2.5 % of a build's
/// CPU at a million offerings; the IRIs are the project's own, not chosen
/// by an attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IriKey(u64, u64);

impl IriKey {
    pub(crate) fn of(iri: &str) -> Self {
        let hash = twox_hash::XxHash3_128::oneshot(iri.as_bytes());
        Self(hash as u64, (hash >> 64) as u64)
    }
}

impl Hash for IriKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Already a hash: tables of keys need not hash it again.
        state.write_u64(self.0);
    }
}

/// The hasher for tables of [`IriKey`]s: takes the key's first word as is.
pub(crate) type IriKeyHasher = BuildHasherDefault<FirstWord>;

#[derive(Debug, Default)]
pub(crate) struct FirstWord(u64);

impl Hasher for FirstWord {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only reached for keys other than IriKey, such as a tuple's other fields.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 ^= word;
    }
}
