//! Strict base64url (RFC 7515 §2; RFC 4648 §5 without padding, non-zero trailing bits
//! rejected): the one decoder every JOSE part goes through, with an eight-character scalar
//! loop for short texts and the `base64` crate's vector engine for long ones, both accepting
//! exactly the language of [`B64`].

use base64::Engine as _;

use crate::{Error, ErrorKind, Result};

/// base64url without padding, rejecting non-zero trailing bits (strict, RFC 7515 §2).
pub(crate) const B64: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The same language as [`B64`], decoded with the widest vector unit the CPU has (AVX2 on
/// x86-64, NEON on aarch64, detected once) and the scalar engine elsewhere: 32 characters per
/// step instead of 8, for the long payloads of large claims sets. The `base64` crate keeps the
/// `unsafe` of its intrinsics behind this safe engine.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
static B64_WIDE_ENGINE: std::sync::LazyLock<base64::engine::simd::Simd> =
    std::sync::LazyLock::new(|| {
        base64::engine::simd::Simd::url_safe(base64::engine::general_purpose::NO_PAD)
    });

/// Inputs at least this long go to the vector engine: payloads, even small ones (an 85-byte
/// claims set is 114 characters and decodes in ~210 fewer instructions there, a 119-byte one
/// 159 characters and ~260 fewer), and 64-byte signatures (HS512, ES256, EdDSA: 86
/// characters, ~45 fewer). Shorter texts, such as HS256 and HS384 signatures (43 and 64
/// characters; the vector engine costs ~360 more on 64), stay on the eight-character loop,
/// which needs no set-up and whose strictness checks are the same.
const WIDE_FROM: usize = 80;

/// What every strict base64url decoder here reports.
const BAD_BASE64: Error = Error::new(ErrorKind::InvalidBase64, "not strict base64url");

/// Decodes strict base64url.
pub(crate) fn b64_decode(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = vec![0; base64::decoded_len_estimate(input.len())];
    let n = b64_decode_slice(input, &mut out).ok_or(BAD_BASE64)?;
    out.truncate(n);
    Ok(out)
}

/// Whether `text` is an unpadded base64url SHA-256 digest (an RFC 7638 thumbprint, an RFC 8705
/// `x5t#S256`): 43 characters of strict base64url, decoding to 32 octets.
pub(crate) fn is_b64_sha256(text: &str) -> bool {
    text.len() == 43 && b64_decode(text.as_bytes()).is_ok_and(|digest| digest.len() == 32)
}

/// Strict base64url into `out`, which has room for `decoded_len_estimate` octets: texts of
/// [`WIDE_FROM`] characters or more on the vector engine, shorter ones on the eight-character
/// loop, and whatever either refuses decided by [`B64`]. The decoded length, or `None` when
/// the input is not strict base64url.
fn b64_decode_slice(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let fast = if input.len() >= WIDE_FROM {
        b64_decode_wide(input, out)
    } else {
        b64_decode_fast(input, out)
    };
    fast.or_else(|| B64.decode_slice(input, out).ok())
}

/// Strict base64url into `out` with the vector engine: the decoded length, or `None` when the
/// input is not strict base64url or `out` is too small.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn b64_decode_wide(input: &[u8], out: &mut [u8]) -> Option<usize> {
    B64_WIDE_ENGINE.decode_slice(input, out).ok()
}

/// Without a vector engine for this architecture, long texts take the eight-character loop.
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn b64_decode_wide(input: &[u8], out: &mut [u8]) -> Option<usize> {
    b64_decode_fast(input, out)
}

/// The base64url alphabet's values; 0xFF for every other byte (including `=`).
const B64_VALUES: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut table = [0xFF; 256];
    let mut i = 0u8;
    while i < 64 {
        table[alphabet[i as usize] as usize] = i;
        i += 1;
    }
    table
};

/// [`B64_VALUES`] widened for the eight-character loop: a valid character's value, or all bits
/// from 6 up set for any other byte. OR-ing a character into an accumulator that is then shifted
/// left by 6 keeps those bits set, so after eight characters the accumulator is below 2^48
/// exactly when all eight were valid: the validity check rides on the decoding.
const B64_WIDE: [u64; 256] = {
    let mut table = [!0x3F_u64; 256];
    let mut i = 0;
    while i < 256 {
        if B64_VALUES[i] != 0xFF {
            table[i] = B64_VALUES[i] as u64;
        }
        i += 1;
    }
    table
};

/// Strict base64url without padding (the language [`B64`] accepts: alphabet only, a length
/// that is not 1 mod 4, zero trailing bits) into `out`: the decoded length, or `None` when the
/// input is not strict base64url or `out` is too small.
fn b64_decode_fast(input: &[u8], out: &mut [u8]) -> Option<usize> {
    let v = |c: u8| B64_VALUES[usize::from(c)];
    let full = input.len() / 4;
    let tail_len = input.len() % 4;
    if tail_len == 1 {
        return None;
    }
    let n = full * 3 + tail_len.saturating_sub(1);
    let out = out.get_mut(..n)?;
    let (quads, tail) = input.split_at(full * 4);
    let (whole, rest) = out.split_at_mut(full * 3);
    let mut bad = 0u8;
    // Eight characters (six octets) at a time, each block written as one 8-byte store whose
    // last two bytes the next block (or the 4-character loop) overwrites; the final two
    // quads always go through the 4-character loop, so no store passes `whole`.
    let eights = (quads.len() / 8).saturating_sub(1);
    let w = |c: u8| B64_WIDE[usize::from(c)];
    let mut wide_bad = 0u64;
    for (k, e) in quads[..eights * 8].chunks_exact(8).enumerate() {
        let acc = [e[1], e[2], e[3], e[4], e[5], e[6], e[7]]
            .iter()
            .fold(w(e[0]), |acc, &c| acc << 6 | w(c));
        wide_bad |= acc;
        whole[6 * k..6 * k + 8].copy_from_slice(&(acc << 16).to_be_bytes());
    }
    if wide_bad >> 48 != 0 {
        return None;
    }
    let (quads, whole) = (&quads[eights * 8..], &mut whole[eights * 6..]);
    for (q, o) in quads.chunks_exact(4).zip(whole.chunks_exact_mut(3)) {
        let (a, b, c, d) = (v(q[0]), v(q[1]), v(q[2]), v(q[3]));
        bad |= a | b | c | d;
        let word = u32::from(a) << 18 | u32::from(b) << 12 | u32::from(c) << 6 | u32::from(d);
        let [_, x, y, z] = word.to_be_bytes();
        o.copy_from_slice(&[x, y, z]);
    }
    match *tail {
        [] => {}
        [a, b] => {
            let (a, b) = (v(a), v(b));
            bad |= a | b | if b & 0x0F != 0 { 0x80 } else { 0 };
            rest[0] = a << 2 | b >> 4;
        }
        [a, b, c] => {
            let (a, b, c) = (v(a), v(b), v(c));
            bad |= a | b | c | if c & 0x03 != 0 { 0x80 } else { 0 };
            rest[0] = a << 2 | b >> 4;
            rest[1] = b << 4 | c >> 2;
        }
        _ => return None,
    }
    (bad & 0x80 == 0).then_some(n)
}

/// Room on the stack for decoded octets, in two tiers: `SMALL` bytes, zeroed when the room is
/// made (cheap for a small `SMALL`; it may be 0), and `LARGE` bytes, zeroed only when a text
/// needs more than `SMALL`; beyond `LARGE`, the heap. Safe Rust must initialise a buffer before
/// decoding into it, so a verification whose parts are small (an HMAC or ECDSA signature, a
/// short claims set, a header the verifier knows) does not pay for clearing kilobytes.
pub(crate) struct Room<const SMALL: usize, const LARGE: usize> {
    small: [u8; SMALL],
    large: Option<[u8; LARGE]>,
    heap: Vec<u8>,
}

impl<const SMALL: usize, const LARGE: usize> Room<SMALL, LARGE> {
    #[inline]
    pub(crate) fn new() -> Self {
        Room {
            small: [0; SMALL],
            large: None,
            heap: Vec::new(),
        }
    }

    /// Decodes strict base64url into the smallest tier it fits (the same decoders as
    /// [`b64_decode`]), returning the octets.
    #[inline]
    pub(crate) fn decode(&mut self, input: &[u8]) -> Result<&[u8]> {
        let need = base64::decoded_len_estimate(input.len());
        if need <= SMALL {
            let n = b64_decode_slice(input, &mut self.small).ok_or(BAD_BASE64)?;
            Ok(&self.small[..n])
        } else if need <= LARGE {
            let large = self.large.insert([0; LARGE]);
            let n = b64_decode_slice(input, large).ok_or(BAD_BASE64)?;
            Ok(&large[..n])
        } else {
            self.heap = b64_decode(input)?;
            Ok(&self.heap)
        }
    }
}

/// Encodes base64url without padding.
pub(crate) fn b64_encode(input: &[u8]) -> String {
    B64.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(8192))]

        /// The same on long texts with one arbitrary byte anywhere (the eight-character loop).
        #[test]
        fn fast_base64_matches_the_engine_on_long_texts(
            text in "[A-Za-z0-9_\\-]{0,200}",
            at in 0usize..200,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let mut bytes = text.into_bytes();
            if !bytes.is_empty() && at % 3 != 0 {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let mut out = [0u8; 256];
            let fast = b64_decode_fast(&bytes, &mut out).map(|n| out[..n].to_vec());
            proptest::prop_assert_eq!(fast, B64.decode(&bytes).ok());
        }

        /// The vector engine and both entry points that use it (`b64_decode` and every tier
        /// of a `Room`: small, large, heap) accept exactly what the scalar engine accepts,
        /// with the same octets: texts across `WIDE_FROM` and several 32-character blocks, with
        /// up to two arbitrary bytes anywhere (in a block, in the tail, in the last quad's
        /// trailing bits) and every length mod 4.
        #[test]
        fn wide_base64_matches_the_engine(
            text in "[A-Za-z0-9_\\-]{60,400}",
            edits in proptest::collection::vec(
                (0usize..400, proptest::prelude::any::<u8>()),
                0..3,
            ),
        ) {
            let mut bytes = text.into_bytes();
            for (at, byte) in edits {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let expected = B64.decode(&bytes).ok();
            #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
            {
                let mut out = [0u8; 320];
                let wide = b64_decode_wide(&bytes, &mut out).map(|n| out[..n].to_vec());
                proptest::prop_assert_eq!(&wide, &expected);
            }
            proptest::prop_assert_eq!(&b64_decode(&bytes).ok(), &expected);
            // Every tier of a room: the small one, the large one, the heap.
            let into = Room::<320, 640>::new().decode(&bytes).ok().map(<[u8]>::to_vec);
            proptest::prop_assert_eq!(&into, &expected);
            let into = Room::<16, 320>::new().decode(&bytes).ok().map(<[u8]>::to_vec);
            proptest::prop_assert_eq!(&into, &expected);
            let into = Room::<0, 16>::new().decode(&bytes).ok().map(<[u8]>::to_vec);
            proptest::prop_assert_eq!(&into, &expected);
        }

        /// The fast decoder accepts exactly what the engine accepts, with the same octets.
        #[test]
        fn fast_base64_matches_the_engine(
            text in "[A-Za-z0-9_\\-]{0,40}[A-Za-z0-9_\\-=+/. ]{0,2}[A-Za-z0-9_\\-]{0,3}"
        ) {
            let mut out = [0u8; 64];
            let fast = b64_decode_fast(text.as_bytes(), &mut out).map(|n| out[..n].to_vec());
            proptest::prop_assert_eq!(fast, B64.decode(text.as_bytes()).ok());
        }
    }

    #[test]
    fn base64url_is_strict() {
        assert_eq!(b64_decode(b"Zm9v").unwrap(), b"foo");
        for bad in [
            &b"Zm9v="[..],
            b"Zm9=",
            b"Zm+v",
            b"Zm/v",
            b"Zm9 v",
            b"Zh",
            b"Z",
        ] {
            assert_eq!(
                b64_decode(bad).unwrap_err().kind(),
                ErrorKind::InvalidBase64,
                "{bad:?}"
            );
        }
    }
}
