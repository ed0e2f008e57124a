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
    read(input).ok().flatten()
}

/// Reads the number at the start of `input`: `Ok(None)` when the input ends
/// before it, an `InvalidData` error when it is cut short or does not fit a
/// `usize`.
pub(crate) fn read(input: &mut impl std::io::Read) -> std::io::Result<Option<usize>> {
    let invalid = || std::io::Error::new(std::io::ErrorKind::InvalidData, "a LEB128 number is cut short or too long");
    let mut value = 0usize;
    for i in 0..usize::BITS.div_ceil(7) {
        let mut byte = [0u8];
        if input.read(&mut byte)? == 0 {
            return if i == 0 { Ok(None) } else { Err(invalid()) };
        }
        value |= usize::from(byte[0] & 0x7f).checked_shl(7 * i).ok_or_else(invalid)?;
        if byte[0] & 0x80 == 0 {
            return Ok(Some(value));
        }
    }
    Err(invalid())
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

    #[test]
    fn a_stream_ends_cleanly_only_between_numbers() {
        let mut empty: &[u8] = &[];
        assert_eq!(super::read(&mut empty).unwrap(), None);
        let mut cut: &[u8] = &[0x80];
        assert_eq!(super::read(&mut cut).unwrap_err().kind(), std::io::ErrorKind::InvalidData);
        let mut too_long: &[u8] = &[0xff; 11];
        assert_eq!(super::read(&mut too_long).unwrap_err().kind(), std::io::ErrorKind::InvalidData);
    }
}
