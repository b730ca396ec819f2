//! A tiny linear congruential generator for the randomised agreement tests: fixed seeds, no
//! dependency.

pub struct Lcg(pub u64);

impl Lcg {
    /// The next number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }

    /// One of `of`, or `""` when it is empty.
    pub fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of.get(self.below(of.len() as u64) as usize)
            .copied()
            .unwrap_or("")
    }
}
