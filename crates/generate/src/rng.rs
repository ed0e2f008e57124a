//! The generator's randomness: each row draws from its own generator,
//! seeded with the run's seed, its table's code and its index, so that any
//! row can be made again on its own (see [`super::run`]).

/// The number a table's `code` mixes into its rows' seeds.
pub(super) fn code_hash(code: &str) -> u64 {
    code.bytes().fold(0u64, |hash, byte| hash.wrapping_mul(131).wrapping_add(u64::from(byte)))
}

/// SplitMix64 (Steele, Lea and Flood 2014): tiny, fast and good enough for
/// test data; written here so that the output depends on no crate's version.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rng(u64);

impl Rng {
    pub fn for_row(seed: u64, code_hash: u64, index: u64) -> Self {
        let mut rng = Self(seed ^ code_hash.wrapping_mul(0xA24B_AED4_963E_E407));
        rng.0 ^= rng.next().wrapping_add(index.wrapping_mul(0x9FB2_1C65_1E98_DF25));
        rng
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(bound)) >> 64) as u64
    }

    /// True with the given percentage.
    pub fn percent(&mut self, chance: u64) -> bool {
        self.below(100) < chance
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_a_function_of_seed_table_and_index() {
        let (of, st) = (code_hash("of"), code_hash("st"));
        let a: Vec<u64> = (0..4).map(|i| Rng::for_row(7, of, i).next()).collect();
        let b: Vec<u64> = (0..4).map(|i| Rng::for_row(7, of, i).next()).collect();
        assert_eq!(a, b);
        assert_ne!(Rng::for_row(7, of, 0).next(), Rng::for_row(8, of, 0).next());
        assert_ne!(Rng::for_row(7, of, 0).next(), Rng::for_row(7, st, 0).next());
    }

    #[test]
    fn below_stays_below_its_bound() {
        let mut rng = Rng::for_row(1, code_hash("x"), 0);
        assert!((0..1000).all(|_| rng.below(7) < 7));
        assert_eq!(rng.below(0), 0);
    }
}
