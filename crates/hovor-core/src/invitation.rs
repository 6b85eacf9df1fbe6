//! Invitation codes and who may use them.
//!
//! A code is 20 characters of Crockford base32 (100 bits from the OS's
//! random source), shown in groups of five so it can be read out over the
//! phone. Reading is forgiving: case, dashes, spaces and the letters I, L, O
//! (for 1, 1, 0) are accepted.

use crate::Refusal;

pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_CHARS: usize = 20;

/// Turns 100 random bits (13 bytes, the last 4 bits unused) into a grouped code.
pub fn code_from_random(bytes: [u8; 13]) -> String {
    let mut bits: u128 = 0;
    for b in bytes {
        bits = (bits << 8) | u128::from(b);
    }
    bits >>= 4; // 104 bits in, 100 used
    let mut chars = Vec::with_capacity(CODE_CHARS);
    for i in (0..CODE_CHARS).rev() {
        let index = ((bits >> (i * 5)) & 0x1f) as usize;
        chars.push(ALPHABET[index] as char);
    }
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The canonical form of what someone typed or opened, or `None` if it
/// cannot be a code at all.
pub fn normalize(input: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in input.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        };
        if !ALPHABET.contains(&(c as u8)) || !c.is_ascii() {
            return None;
        }
        out.push(c);
    }
    if out.len() != CODE_CHARS {
        return None;
    }
    let grouped: Vec<String> = out
        .as_bytes()
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    Some(grouped.join("-"))
}

/// May an invitation with these facts be redeemed once more?
pub fn redeemable(reusable: bool, uses: i64, invalidated: bool) -> Result<(), Refusal> {
    if invalidated {
        Err(Refusal::InvitationInvalidated)
    } else if !reusable && uses > 0 {
        Err(Refusal::InvitationUsed)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_base32_of_the_random_bits() {
        assert_eq!(code_from_random([0; 13]), "00000-00000-00000-00000");
        assert_eq!(code_from_random([0xff; 13]), "ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ");
        let code = code_from_random([
            0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5,
        ]);
        assert_eq!(code.len(), 23);
        assert_eq!(normalize(&code).as_deref(), Some(code.as_str()));
    }

    #[test]
    fn reading_is_forgiving_but_not_lax() {
        assert_eq!(
            normalize("abcde fghjk-mnpqr stvwx").as_deref(),
            Some("ABCDE-FGHJK-MNPQR-STVWX")
        );
        assert_eq!(
            normalize("0oIl1-00000-00000-00000").as_deref(),
            Some("00111-00000-00000-00000")
        );
        assert_eq!(normalize("ABCDE-FGHJK-MNPQR-STVW"), None, "too short");
        assert_eq!(
            normalize("ABCDE-FGHJK-MNPQR-STVWU"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(normalize("ABCDE-FGHJK-MNPQR-STVWŽ"), None);
    }

    #[test]
    fn single_use_codes_are_used_up_and_any_can_be_invalidated() {
        assert_eq!(redeemable(false, 0, false), Ok(()));
        assert_eq!(redeemable(false, 1, false), Err(Refusal::InvitationUsed));
        assert_eq!(redeemable(true, 99, false), Ok(()));
        assert_eq!(
            redeemable(true, 0, true),
            Err(Refusal::InvitationInvalidated)
        );
        assert_eq!(
            redeemable(false, 1, true),
            Err(Refusal::InvitationInvalidated)
        );
    }
}
