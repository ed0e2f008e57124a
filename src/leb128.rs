//! LEB128 numbers (seven bits a byte, low bits first, the high bit set on
//! every byte but the last): the lengths and numbers of the build's own
//! temporary and kept files.

/// Appends `value`.
pub(crate) fn push(out: &mut Vec<u8>, mut value: usize) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Takes the number at the start of `input`; `None` when it is cut short or
/// does not fit a `usize`.
pub(crate) fn take(input: &mut &[u8]) -> Option<usize> {
    let mut value = 0usize;
    for (i, &byte) in input.iter().enumerate().take(usize::BITS.div_ceil(7) as usize) {
        value |= usize::from(byte & 0x7f).checked_shl(7 * i as u32)?;
        if byte & 0x80 == 0 {
            *input = &input[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_come_back_and_short_input_is_refused() {
        for value in [0, 1, 127, 128, 300, 16_383, 16_384, u32::MAX as usize, usize::MAX] {
            let mut out = Vec::new();
            super::push(&mut out, value);
            out.push(0xff); // what follows stays
            let mut input = out.as_slice();
            assert_eq!(super::take(&mut input), Some(value));
            assert_eq!(input, [0xff]);
            let mut short = &out[..out.len() - 2];
            assert_eq!(super::take(&mut short), None, "{value} cut short");
        }
    }
}
