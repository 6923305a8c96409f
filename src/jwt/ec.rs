//! EC public-key validation for P-256, P-384, P-521 and secp256k1 without randomness or I/O:
//! the partial public-key validation of SEC 1 v2 §3.2.2.1 (steps 1–3) and NIST SP 800-56A
//! Rev. 3 §5.6.2.3.4 (numbered §5.6.2.3.3 in Rev. 2), i.e. both affine coordinates are integers
//! in `[0, p)` and satisfy `y² ≡ x³ + ax + b (mod p)`, with `a = −3` on the NIST curves and
//! `a = 0` on secp256k1 (SEC 2 v2 §2.4.1).
//!
//! Partial validation is the complete validity check for these curves: their cofactor is
//! `h = 1` (FIPS 186-4 Appendix D.1.2, SEC 2 v2 §2.4.1, §2.4.2, §2.5.1 and §2.6.1), so the
//! group of points has
//! prime order `n`, every point on the curve other than the point at infinity has order `n`,
//! and the remaining full-validation step (`nQ = O`) holds automatically. The point at infinity
//! has no affine `x || y` encoding, so it can never reach this module.
//!
//! Arithmetic is fixed width over little-endian `u64` limbs: a schoolbook product, then a
//! bitwise shift-and-subtract reduction. It is simple rather than fast (a few microseconds per
//! key, once, at load time) and it only handles public data, so it need not be constant time.

use super::alg::KeyFamily;

/// The field prime of P-256, `2^256 − 2^224 + 2^192 + 2^96 − 1` (FIPS 186-4 D.1.2.3), as
/// little-endian limbs.
const P256_P: [u64; 4] = [
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
];

/// The curve constant `b` of P-256 (FIPS 186-4 D.1.2.3, SEC 2 v2 §2.4.2), little-endian limbs.
const P256_B: [u64; 4] = [
    0x3bce_3c3e_27d2_604b,
    0x651d_06b0_cc53_b0f6,
    0xb3eb_bd55_7698_86bc,
    0x5ac6_35d8_aa3a_93e7,
];

/// The field prime of P-384, `2^384 − 2^128 − 2^96 + 2^32 − 1` (FIPS 186-4 D.1.2.4), as
/// little-endian limbs.
const P384_P: [u64; 6] = [
    0x0000_0000_ffff_ffff,
    0xffff_ffff_0000_0000,
    0xffff_ffff_ffff_fffe,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_ffff_ffff,
];

/// The curve constant `b` of P-384 (FIPS 186-4 D.1.2.4, SEC 2 v2 §2.5.1), little-endian limbs.
const P384_B: [u64; 6] = [
    0x2a85_c8ed_d3ec_2aef,
    0xc656_398d_8a2e_d19d,
    0x0314_088f_5013_875a,
    0x181d_9c6e_fe81_4112,
    0x988e_056b_e3f8_2d19,
    0xb331_2fa7_e23e_e7e4,
];

/// The field prime of P-521, `2^521 − 1` (FIPS 186-4 D.1.2.5), as little-endian limbs.
const P521_P: [u64; 9] = limbs(
    "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\
     ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
);

/// The curve constant `b` of P-521 (FIPS 186-4 D.1.2.5, SEC 2 v2 §2.6.1).
const P521_B: [u64; 9] = limbs(
    "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e1\
     56193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
);

/// The field prime of secp256k1, `2^256 − 2^32 − 977` (SEC 2 v2 §2.4.1).
const SECP256K1_P: [u64; 4] =
    limbs("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f");

/// The curve constant `b = 7` of secp256k1 (`a = 0`).
const SECP256K1_B: [u64; 4] = [7, 0, 0, 0];

/// Largest limb count handled (P-521); sizes the double-width product buffer.
const MAX_LIMBS: usize = 9;

/// Big-endian hex (whitespace-free) to little-endian limbs, at compile time: it is used only to
/// initialise constants, so a bad digit is a compile error, never a run-time panic.
#[allow(clippy::panic)]
const fn limbs<const N: usize>(hex: &str) -> [u64; N] {
    let hex = hex.as_bytes();
    let mut out = [0u64; N];
    let mut i = 0;
    while i < hex.len() {
        let digit = match hex[hex.len() - 1 - i] {
            c @ b'0'..=b'9' => c - b'0',
            c @ b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        };
        out[i / 16] |= (digit as u64) << (4 * (i % 16));
        i += 1;
    }
    out
}

/// Whether the affine point with big-endian coordinates `x` and `y` is a valid public key on
/// the curve of `family`: each coordinate exactly the curve's field size (32 bytes for P-256
/// and secp256k1, 48 for P-384, 66 for P-521), both below `p`, and on the curve. Any other
/// family is `false`.
pub(super) fn is_valid_point(family: KeyFamily, x: &[u8], y: &[u8]) -> bool {
    match family {
        KeyFamily::P256 => on_curve(&P256_P, A::MinusThree, &P256_B, 32, x, y),
        KeyFamily::P384 => on_curve(&P384_P, A::MinusThree, &P384_B, 48, x, y),
        KeyFamily::P521 => on_curve(&P521_P, A::MinusThree, &P521_B, 66, x, y),
        KeyFamily::Secp256k1 => on_curve(&SECP256K1_P, A::Zero, &SECP256K1_B, 32, x, y),
        _ => false,
    }
}

/// The coefficient `a` of a short Weierstrass curve.
#[derive(Clone, Copy)]
enum A {
    /// `a = −3` (the NIST curves).
    MinusThree,
    /// `a = 0` (secp256k1).
    Zero,
}

/// The check for one curve `y² = x³ + ax + b` over the prime field of `p`, whose elements are
/// `len` bytes long.
fn on_curve<const N: usize>(
    p: &[u64; N],
    a: A,
    b: &[u64; N],
    len: usize,
    x: &[u8],
    y: &[u8],
) -> bool {
    let (Some(x), Some(y)) = (from_be_bytes::<N>(x, len), from_be_bytes::<N>(y, len)) else {
        return false;
    };
    if !less_than(&x, p) || !less_than(&y, p) {
        return false;
    }
    // Montgomery arithmetic with R = 2^(64N): `mont(a, b) = a·b·R⁻¹ mod p`. Both sides of the
    // curve equation are computed times R⁻² (R is invertible mod the odd prime p, so the
    // scaled equation holds exactly when the plain one does).
    let n0 = mont_n0(p[0]);
    let mut one = [0u64; N];
    one[0] = 1;
    let to_r2 = |v: &[u64; N]| mont_mul(&mont_mul(v, &one, p, n0), &one, p, n0); // v·R⁻²
    let lhs = mont_mul(&mont_mul(&y, &y, p, n0), &one, p, n0); // y²·R⁻²
    let x3 = mont_mul(&mont_mul(&x, &x, p, n0), &x, p, n0); // x³·R⁻²
    let x_r2 = to_r2(&x);
    let ax = match a {
        A::MinusThree => sub_mod(&[0; N], &add_mod(&add_mod(&x_r2, &x_r2, p), &x_r2, p), p),
        A::Zero => [0; N],
    };
    let rhs = add_mod(&add_mod(&x3, &ax, p), &to_r2(b), p);
    lhs == rhs
}

/// Big-endian bytes to little-endian limbs; `None` unless `bytes` is exactly `len` long
/// (`len ≤ 8 * N`).
fn from_be_bytes<const N: usize>(bytes: &[u8], len: usize) -> Option<[u64; N]> {
    if bytes.len() != len || len > 8 * N {
        return None;
    }
    let mut padded = [0u8; 8 * MAX_LIMBS];
    let padded = &mut padded[..8 * N];
    padded[8 * N - len..].copy_from_slice(bytes);
    let mut limbs = [0u64; N];
    for (limb, chunk) in limbs.iter_mut().zip(padded.rchunks_exact(8)) {
        *limb = u64::from_be_bytes(chunk.try_into().ok()?);
    }
    Some(limbs)
}

/// `a < b`, comparing from the most significant limb.
fn less_than<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

/// `a − b` with the borrow out (`true` when `a < b`, the result then wrapped mod `2^(64N)`).
fn sub_borrow<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], bool) {
    let mut out = [0u64; N];
    let mut borrow = false;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let (d, b1) = x.overflowing_sub(y);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *o = d;
        borrow = b1 || b2;
    }
    (out, borrow)
}

/// `a + b` with the carry out.
fn add_carry<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], bool) {
    let mut out = [0u64; N];
    let mut carry = false;
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        let (s, c1) = x.overflowing_add(y);
        let (s, c2) = s.overflowing_add(u64::from(carry));
        *o = s;
        carry = c1 || c2;
    }
    (out, carry)
}

/// `(a + b) mod p` for `a, b < p`.
fn add_mod<const N: usize>(a: &[u64; N], b: &[u64; N], p: &[u64; N]) -> [u64; N] {
    let (sum, carry) = add_carry(a, b);
    // The true sum is `carry * 2^(64N) + sum < 2p`: subtract p once if it is at least p.
    let (reduced, borrow) = sub_borrow(&sum, p);
    if carry || !borrow { reduced } else { sum }
}

/// `(a − b) mod p` for `a, b < p`.
fn sub_mod<const N: usize>(a: &[u64; N], b: &[u64; N], p: &[u64; N]) -> [u64; N] {
    let (diff, borrow) = sub_borrow(a, b);
    if borrow { add_carry(&diff, p).0 } else { diff }
}

/// `−p⁻¹ mod 2⁶⁴` for an odd `p0` (the low limb of the modulus), by Newton's iteration: each
/// step doubles the number of correct low bits of the inverse (1 → 64 in six steps).
fn mont_n0(p0: u64) -> u64 {
    let mut inv: u64 = 1;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Montgomery multiplication (CIOS, Koç et al. 1996): `a·b·R⁻¹ mod p` with `R = 2^(64N)`, for
/// `a, b < p`, `p` odd and `n0 = −p⁻¹ mod 2⁶⁴`. The result is below `p`. Not constant time:
/// only public key coordinates pass through it.
fn mont_mul<const N: usize>(a: &[u64; N], b: &[u64; N], p: &[u64; N], n0: u64) -> [u64; N] {
    const { assert!(N <= MAX_LIMBS, "limb count beyond the product buffer") };
    let mut t = [0u64; MAX_LIMBS + 2];
    for &bi in b.iter() {
        let mut carry = 0u128;
        for (j, &aj) in a.iter().enumerate() {
            // At most (2^64 − 1)^2 + 2 (2^64 − 1) = 2^128 − 1: no overflow.
            let v = u128::from(t[j]) + u128::from(aj) * u128::from(bi) + carry;
            t[j] = low_half(v);
            carry = v >> 64;
        }
        let v = u128::from(t[N]) + carry;
        t[N] = low_half(v);
        t[N + 1] = low_half(v >> 64);
        let m = t[0].wrapping_mul(n0);
        let mut carry = (u128::from(t[0]) + u128::from(m) * u128::from(p[0])) >> 64;
        for j in 1..N {
            let v = u128::from(t[j]) + u128::from(m) * u128::from(p[j]) + carry;
            t[j - 1] = low_half(v);
            carry = v >> 64;
        }
        let v = u128::from(t[N]) + carry;
        t[N - 1] = low_half(v);
        t[N] = t[N + 1] + low_half(v >> 64);
    }
    let mut r = [0u64; N];
    r.copy_from_slice(&t[..N]);
    // t < 2p: one subtraction at most.
    if t[N] != 0 || !less_than(&r, p) {
        r = sub_borrow(&r, p).0;
    }
    r
}

/// The low 64 bits of `t`.
#[allow(clippy::cast_possible_truncation)] // the truncation is the point
fn low_half(t: u128) -> u64 {
    t as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::crypto::{self, EcdsaSigner};
    use crate::jwt::key::check_ec_point;
    use crate::jwt::{Algorithm, Key};

    /// The validation this module replaced, kept as the test oracle: the backend's ECDH
    /// peer-key check (an agreement with a fresh ephemeral key), which accepts exactly the
    /// uncompressed points that are on the curve with reduced coordinates. `true` (no verdict)
    /// for a curve without ECDH in the backend (secp256k1), or that the backend lacks.
    fn backend_accepts_point(family: KeyFamily, point: &[u8]) -> bool {
        let curve = family.curve().unwrap();
        !curve.is_supported() || crypto::ecdh_accepts(curve, point).unwrap_or(true)
    }

    /// The same oracle for a point it must refuse: `false` when there is no verdict.
    fn backend_refuses_point(family: KeyFamily, point: &[u8]) -> bool {
        let curve = family.curve().unwrap();
        !curve.is_supported() || crypto::ecdh_accepts(curve, point) != Some(true)
    }

    /// Lowercase hex to bytes (test data only).
    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// `04 || x || y`.
    fn uncompressed(x: &[u8], y: &[u8]) -> Vec<u8> {
        [&[4u8][..], x, y].concat()
    }

    /// Little-endian limbs to big-endian bytes, the inverse of `from_be_bytes`.
    fn to_be_bytes<const N: usize>(limbs: &[u64; N]) -> Vec<u8> {
        limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect()
    }

    /// `base^e mod p` by square-and-multiply, `e` as little-endian limbs.
    fn pow_mod<const N: usize>(base: &[u64; N], e: &[u64; N], p: &[u64; N]) -> [u64; N] {
        let mut r = [0u64; N];
        r[0] = 1;
        for &limb in e.iter().rev() {
            for bit in (0..64).rev() {
                r = mul_mod(&r, &r, p);
                if (limb >> bit) & 1 == 1 {
                    r = mul_mod(&r, base, p);
                }
            }
        }
        r
    }

    /// The smallest `x ≥ 0` with a point `(x, y)` on the curve, and that `y`. Both primes are
    /// `3 mod 4`, so a square root of `a` is `a^((p+1)/4)` when `a` is a square.
    fn smallest_x_point<const N: usize>(p: &[u64; N], b: &[u64; N]) -> ([u64; N], [u64; N]) {
        // (p + 1) / 4: p + 1 does not overflow (p is odd and below 2^(64N) − 1).
        let mut one = [0u64; N];
        one[0] = 1;
        let (p1, carry) = add_carry(p, &one);
        assert!(!carry);
        let mut e = [0u64; N];
        for (i, limb) in e.iter_mut().enumerate() {
            *limb = (p1[i] >> 2) | p1.get(i + 1).map_or(0, |next| next << 62);
        }
        let mut x = [0u64; N];
        loop {
            let x3 = mul_mod(&mul_mod(&x, &x, p), &x, p);
            let three_x = add_mod(&add_mod(&x, &x, p), &x, p);
            let rhs = add_mod(&sub_mod(&x3, &three_x, p), b, p);
            let y = pow_mod(&rhs, &e, p);
            if mul_mod(&y, &y, p) == rhs {
                return (x, y);
            }
            x = add_mod(&x, &one, p);
        }
    }

    const P256_GX: &str = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    const P256_GY: &str = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    const P384_GX: &str = "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38\
                           5502f25dbf55296c3a545e3872760ab7";
    const P384_GY: &str = "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c0\
                           0a60b1ce1d7e819d7a431d7c90ea0e5f";

    /// Each curve with its generator (FIPS 186-4 D.1.2.3 and D.1.2.4).
    fn generators() -> [(KeyFamily, Vec<u8>, Vec<u8>); 4] {
        [
            (KeyFamily::P256, hex(P256_GX), hex(P256_GY)),
            (KeyFamily::P384, hex(P384_GX), hex(P384_GY)),
            // FIPS 186-4 D.1.2.5 (P-521) and SEC 2 v2 §2.4.1 (secp256k1).
            (
                KeyFamily::P521,
                hex(
                    "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dba\
                     a14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
                ),
                hex(
                    "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c\
                     97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
                ),
            ),
            (
                KeyFamily::Secp256k1,
                hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
                hex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
            ),
        ]
    }

    /// The new curves' primes in closed form, and their generators off the curve once moved.
    #[test]
    fn p521_and_secp256k1_constants() {
        let mut p521 = [0xff; 66];
        p521[0] = 0x01;
        assert_eq!(to_be_bytes(&P521_P)[6..], p521[..]);
        assert_eq!(to_be_bytes(&P521_P)[..6], [0; 6]);
        // 2^256 − 2^32 − 977.
        let mut k1 = vec![0xff; 32];
        k1[27] = 0xfe;
        k1[30] = 0xfc;
        k1[31] = 0x2f;
        assert_eq!(to_be_bytes(&SECP256K1_P), k1);
        for (family, x, y) in generators() {
            // (x, y + 1) is not on the curve; a coordinate of the wrong length is refused.
            assert!(!is_valid_point(family, &x, &plus_one(&y)), "{family:?}");
            assert!(!is_valid_point(family, &x[1..], &y[1..]), "{family:?}");
            let mut longer = vec![0];
            longer.extend_from_slice(&x);
            assert!(!is_valid_point(family, &longer, &y), "{family:?}");
        }
        // P-521: a coordinate ≥ p (the top byte above 0x01) is refused even before the equation.
        let (_, x, mut y) = generators()[2].clone();
        y[0] |= 0x02;
        assert!(!is_valid_point(KeyFamily::P521, &x, &y));
    }

    /// `v + 1` as big-endian bytes (wrapping); `v` must not be all ones.
    fn plus_one(v: &[u8]) -> Vec<u8> {
        let mut out = v.to_vec();
        for byte in out.iter_mut().rev() {
            let (s, carry) = byte.overflowing_add(1);
            *byte = s;
            if !carry {
                break;
            }
        }
        out
    }

    #[test]
    fn constants_match_their_closed_forms() {
        // p256 = 2^256 − 2^224 + 2^192 + 2^96 − 1, p384 = 2^384 − 2^128 − 2^96 + 2^32 − 1.
        assert_eq!(
            to_be_bytes(&P256_P),
            hex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff")
        );
        assert_eq!(
            to_be_bytes(&P384_P),
            hex(&format!(
                "{}fffffffeffffffff0000000000000000ffffffff",
                "ff".repeat(28)
            ))
        );
        assert_eq!(
            to_be_bytes(&P256_B),
            hex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b")
        );
        assert_eq!(
            to_be_bytes(&P384_B),
            hex(
                "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875a\
                 c656398d8a2ed19d2a85c8edd3ec2aef"
            )
        );
    }

    /// The reference product: `(a · b) mod p`, the full schoolbook product reduced one bit at a
    /// time from the top (Horner's rule in base 2). Slow and obviously right.
    fn mul_mod<const N: usize>(a: &[u64; N], b: &[u64; N], p: &[u64; N]) -> [u64; N] {
        let mut product = [0u64; 2 * MAX_LIMBS];
        for (i, &x) in a.iter().enumerate() {
            let mut carry = 0u128;
            for (j, &y) in b.iter().enumerate() {
                let t = u128::from(x) * u128::from(y) + u128::from(product[i + j]) + carry;
                product[i + j] = low_half(t);
                carry = t >> 64;
            }
            product[i + N] = low_half(carry);
        }
        let mut one = [0u64; N];
        one[0] = 1;
        let mut r = [0u64; N];
        for &limb in product[..2 * N].iter().rev() {
            for bit in (0..64).rev() {
                r = add_mod(&r, &r, p);
                if (limb >> bit) & 1 == 1 {
                    r = add_mod(&r, &one, p);
                }
            }
        }
        r
    }

    /// `mont_mul(a, b) · R ≡ a · b (mod p)` against the reference, for every curve's prime.
    fn montgomery_agrees<const N: usize>(p: &[u64; N]) {
        let n0 = mont_n0(p[0]);
        assert_eq!(p[0].wrapping_mul(n0), u64::MAX, "p·n0 ≡ −1 mod 2^64");
        let mut r_mod_p = [0u64; N];
        r_mod_p[0] = 1;
        for _ in 0..64 * N {
            r_mod_p = add_mod(&r_mod_p, &r_mod_p, p);
        }
        let rng = crypto::SystemRandom::new();
        let mut values: Vec<[u64; N]> = vec![
            [0; N],
            sub_borrow(p, &{
                let mut o = [0; N];
                o[0] = 1;
                o
            })
            .0,
        ];
        for _ in 0..40 {
            let mut v = [0u64; N];
            let mut bytes = vec![0u8; 8 * N];
            crate::SecureRandom::fill(&rng, &mut bytes).unwrap();
            for (i, chunk) in bytes.chunks(8).enumerate() {
                v[i] = u64::from_le_bytes(chunk.try_into().unwrap());
            }
            // Below p: keep the top limb under p's, then at most one subtraction.
            v[N - 1] %= p[N - 1].max(1);
            if !less_than(&v, p) {
                v = sub_borrow(&v, p).0;
            }
            values.push(v);
        }
        for a in &values {
            for b in values.iter().take(8) {
                let m = mont_mul(a, b, p, n0);
                assert!(less_than(&m, p));
                assert_eq!(mul_mod(&m, &r_mod_p, p), mul_mod(a, b, p));
            }
        }
    }

    #[test]
    fn montgomery_multiplication_matches_the_reference() {
        montgomery_agrees(&P256_P);
        montgomery_agrees(&P384_P);
        montgomery_agrees(&P521_P);
        montgomery_agrees(&SECP256K1_P);
        montgomery_agrees(&[u64::MAX, (1 << 63) - 1]); // 2^127 − 1
    }

    #[test]
    fn arithmetic_matches_u128_on_a_small_prime() {
        // Two-limb modulus 2^127 − 1 (prime), checked against u128 arithmetic.
        let m: u128 = (1 << 127) - 1;
        let limbs = |v: u128| [low_half(v), low_half(v >> 64)];
        let p = limbs(m);
        let vals = [
            0u128,
            1,
            2,
            3,
            m - 1,
            m - 2,
            1 << 64,
            (1 << 64) - 1,
            0x1234_5678_9abc_def0_1122_3344_5566_7788,
        ];
        for &a in &vals {
            for &b in &vals {
                assert_eq!(add_mod(&limbs(a), &limbs(b), &p), limbs((a + b) % m));
                assert_eq!(sub_mod(&limbs(a), &limbs(b), &p), limbs((a + m - b) % m));
                // a·b mod m via the u128 doubling ladder.
                let mut r: u128 = 0;
                for bit in (0..128).rev() {
                    r = (r << 1) % m;
                    if (b >> bit) & 1 == 1 {
                        r = (r + a) % m;
                    }
                }
                assert_eq!(mul_mod(&limbs(a), &limbs(b), &p), limbs(r), "{a} * {b}");
                assert_eq!(less_than(&limbs(a), &limbs(b)), a < b);
            }
        }
    }

    #[test]
    fn generators_are_on_their_curves() {
        for (family, x, y) in generators() {
            assert!(is_valid_point(family, &x, &y), "{family:?}");
            assert!(check_ec_point(family, &uncompressed(&x, &y)).is_ok());
            assert!(backend_accepts_point(family, &uncompressed(&x, &y)));
        }
    }

    #[test]
    fn fixture_keys_load() {
        let p256 = include_bytes!("../../tests/data/keys/p256.spki.pem");
        let p384 = include_bytes!("../../tests/data/keys/p384.spki.pem");
        let cert = include_bytes!("../../tests/data/keys/p256.cert.pem");
        assert_eq!(Key::from_pem(p256, None).unwrap().alg(), Algorithm::ES256);
        assert_eq!(Key::from_pem(p384, None).unwrap().alg(), Algorithm::ES384);
        assert_eq!(Key::from_pem(cert, None).unwrap().alg(), Algorithm::ES256);
        // The same public keys as JWKs (derived from the private PEMs).
        for pem in [
            &include_bytes!("../../tests/data/keys/p256.pkcs8.pem")[..],
            include_bytes!("../../tests/data/keys/p384.pkcs8.pem"),
        ] {
            let jwk = Key::from_pem(pem, None).unwrap().public_jwk().unwrap();
            let text = serde_json::to_vec(&jwk).unwrap();
            assert!(Key::from_jwk_value(&jwk, None).is_ok(), "{jwk:?}");
            assert!(Key::from_jwk(&text, None).is_ok(), "{jwk:?}");
        }
    }

    #[test]
    fn bad_points_are_refused() {
        let invalid = |family, point: &[u8], msg: &str| {
            let err = check_ec_point(family, point).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey, "{family:?}");
            assert_eq!(err.detail(), msg);
            assert!(backend_refuses_point(family, point));
        };
        const OFF: &str = "EC public key is not a point on the curve";
        const SHAPE: &str = "EC public key has the wrong length or encoding";
        for (family, x, y) in generators() {
            let p = match family {
                KeyFamily::P256 => to_be_bytes(&P256_P),
                KeyFamily::P384 => to_be_bytes(&P384_P),
                KeyFamily::P521 => to_be_bytes(&P521_P)[6..].to_vec(),
                _ => to_be_bytes(&SECP256K1_P),
            };
            let zero = vec![0u8; x.len()];
            invalid(family, &uncompressed(&x, &plus_one(&y)), OFF);
            invalid(family, &uncompressed(&plus_one(&x), &y), OFF);
            invalid(family, &uncompressed(&p, &y), OFF);
            invalid(family, &uncompressed(&x, &p), OFF);
            invalid(family, &uncompressed(&p, &p), OFF);
            invalid(family, &uncompressed(&zero, &zero), OFF);
            invalid(family, &uncompressed(&vec![0xff; x.len()], &y), OFF);
            // The point at infinity (SEC 1 §2.3.3: a single zero byte), and other shapes.
            invalid(family, &[0], SHAPE);
            invalid(family, &[0; 65], SHAPE);
            invalid(family, &[], SHAPE);
            invalid(family, &[4], SHAPE);
            invalid(family, &uncompressed(&x, &y)[..2 * x.len()], SHAPE);
            invalid(family, &[&uncompressed(&x, &y)[..], &[0]].concat(), SHAPE);
            // The hybrid encoding (`06`/`07`), which AWS-LC's ECDH accepts and tessera does not.
            let mut hybrid = uncompressed(&x, &y);
            hybrid[0] = 6 | (y[y.len() - 1] & 1);
            let err = check_ec_point(family, &hybrid).unwrap_err();
            assert_eq!((err.kind(), err.detail()), (ErrorKind::InvalidKey, SHAPE));
            // Compressed points: a distinct, unsupported kind.
            let compressed = [&[2 | (y[y.len() - 1] & 1)][..], &x].concat();
            let err = check_ec_point(family, &compressed).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnsupportedKey);
            // Wrong coordinate sizes straight into the arithmetic.
            assert!(!is_valid_point(family, &x[1..], &y[1..]));
            assert!(!is_valid_point(family, &x, &y[1..]));
            assert!(!is_valid_point(KeyFamily::Ed25519, &x, &y));
        }
        // Each generator presented as a point of the other curve: wrong length.
        let [
            (_, x256, y256),
            (_, x384, y384),
            (_, x521, y521),
            (_, xk1, yk1),
        ] = generators();
        invalid(KeyFamily::P384, &uncompressed(&x256, &y256), SHAPE);
        invalid(KeyFamily::P256, &uncompressed(&x384, &y384), SHAPE);
        invalid(KeyFamily::P256, &uncompressed(&x521, &y521), SHAPE);
        invalid(KeyFamily::P521, &uncompressed(&x384, &y384), SHAPE);
        // secp256k1 and P-256 share a size: each generator is off the other curve.
        invalid(KeyFamily::P256, &uncompressed(&xk1, &yk1), OFF);
        invalid(KeyFamily::Secp256k1, &uncompressed(&x256, &y256), OFF);
    }

    /// A coordinate congruent to a valid one but not reduced (`x + p`) satisfies the curve
    /// equation mod p, so only the range check refuses it.
    #[test]
    fn unreduced_coordinates_are_refused() {
        fn check<const N: usize>(family: KeyFamily, p: &[u64; N], b: &[u64; N]) {
            let (x, y) = smallest_x_point(p, b);
            let (xb, yb) = (to_be_bytes(&x), to_be_bytes(&y));
            assert!(is_valid_point(family, &xb, &yb));
            assert!(backend_accepts_point(family, &uncompressed(&xb, &yb)));
            let (x_plus_p, carry) = add_carry(&x, p);
            assert!(!carry);
            let xp = to_be_bytes(&x_plus_p);
            assert!(!is_valid_point(family, &xp, &yb));
            assert!(backend_refuses_point(family, &uncompressed(&xp, &yb)));
            let err = check_ec_point(family, &uncompressed(&xp, &yb)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidKey);
            // Without the range check the equation itself holds for x + p.
            let (reduced, _) = sub_borrow(&x_plus_p, p);
            assert_eq!(reduced, x);
        }
        check(KeyFamily::P256, &P256_P, &P256_B);
        check(KeyFamily::P384, &P384_P, &P384_B);
    }

    /// The differential test against the replaced ECDH check: public points of fresh random
    /// keys are accepted by both, and every single-bit flip of the encoding gets the same
    /// verdict from both (and is refused: a random flip landing on the curve is negligible).
    ///
    /// The prefix byte is left out of the comparison: AWS-LC also accepts the hybrid encodings
    /// (`06`/`07`) that tessera refuses, which a flip of the `04` prefix can produce. For
    /// secp256k1, which has no ECDH in the backend, the backend's verdict is its ECDSA public
    /// key parser's.
    #[test]
    fn agrees_with_the_backend_on_random_keys_and_every_bit_flip() {
        for family in [
            KeyFamily::P256,
            KeyFamily::P384,
            KeyFamily::P521,
            KeyFamily::Secp256k1,
        ] {
            let curve = family.curve().unwrap();
            let Some(generated) = EcdsaSigner::generate_pkcs8(curve) else {
                assert!(!curve.is_supported());
                continue;
            };
            let backend_accepts = |point: &[u8]| {
                crypto::ecdh_accepts(curve, point)
                    .unwrap_or_else(|| crypto::Verifier::ecdsa(curve, point).is_ok())
            };
            for _ in 0..2 {
                let pkcs8 = match &generated {
                    Ok(_) => EcdsaSigner::generate_pkcs8(curve).unwrap().unwrap(),
                    Err(e) => panic!("{e}"),
                };
                let pair = EcdsaSigner::from_pkcs8(curve, &pkcs8).unwrap();
                let point = pair.public_point().to_vec();
                assert_eq!(
                    point.len(),
                    1 + 2 * crate::jwt::key::ec_coordinate_len(family)
                );
                assert!(check_ec_point(family, &point).is_ok());
                assert!(backend_accepts(&point));
                for i in 0..point.len() * 8 {
                    let mut flipped = point.clone();
                    flipped[i / 8] ^= 0x80 >> (i % 8);
                    let ours = check_ec_point(family, &flipped).is_ok();
                    assert!(!ours, "bit {i} of {point:02x?}");
                    if i >= 8 {
                        assert!(!backend_accepts(&flipped), "bit {i} of {point:02x?}");
                    }
                }
            }
        }
    }

    /// Public points from Wycheproof `testvectors_v1/ecdh_secp256r1_ecpoint_test.json`
    /// (C2SP/wycheproof): valid edge cases (tcId 1 normal, 3 and 4 special shared secrets, 257
    /// addition-chain doubling, 330 and 331 CVE-2017-8932), and the 16 `InvalidCurveAttack`
    /// cases tcId 332–347, which are every `(x, y)` with `x, y ∈ {0, 1, p − 1, p}`, rebuilt here
    /// in that order (the same grid is also checked on P-384).
    #[test]
    fn wycheproof_ecdh_public_points() {
        const VALID: [(u32, &str); 6] = [
            (
                1,
                "0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26\
                 ac333a93a9e70a81cd5a95b5bf8d13990eb741c8c38872b4a07d275a014e30cf",
            ),
            (
                3,
                "0458fd4168a87795603e2b04390285bdca6e57de6027fe211dd9d25e2212d29e62\
                 080d36bd224d7405509295eed02a17150e03b314f96da37445b0d1d29377d12c",
            ),
            (
                4,
                "04a1ecc24bf0d0053d23f5fd80ddf1735a1925039dc1176c581a7e795163c8b9ba\
                 2cb5a4e4d5109f4527575e3137b83d79a9bcb3faeff90d2aca2bed71bb523e7e",
            ),
            (
                257,
                "04a7b513f96266414fa6ff439a35d8f09ab615db0bb6a3b1a120c217683f724b23\
                 42007a2c9feabcd6249a0d17acecd995e2a217fb5f07bec96938016e297efa52",
            ),
            (
                330,
                "04023819813ac969847059028ea88a1f30dfbcde03fc791d3a252c6b41211882ea\
                 f93e4ae433cc12cf2a43fc0ef26400c0e125508224cdb649380f25479148a4ad",
            ),
            (
                331,
                "04cc11887b2d66cbae8f4d306627192522932146b42f01d3c6f92bd5c8ba739b06\
                 a2f08a029cd06b46183085bae9248b0ed15b70280c7ef13a457f5af382426031",
            ),
        ];
        for (tc, point) in VALID {
            let point = hex(point);
            assert!(check_ec_point(KeyFamily::P256, &point).is_ok(), "tcId {tc}");
            assert!(backend_accepts_point(KeyFamily::P256, &point), "tcId {tc}");
        }
        fn grid<const N: usize>(family: KeyFamily, p: &[u64; N]) -> Vec<Vec<u8>> {
            let mut one = [0u64; N];
            one[0] = 1;
            let (p_minus_1, _) = sub_borrow(p, &one);
            let values = [[0u64; N], one, p_minus_1, *p].map(|v| to_be_bytes(&v));
            let mut points = Vec::new();
            for x in &values {
                for y in &values {
                    points.push(uncompressed(x, y));
                }
            }
            for point in &points {
                let err = check_ec_point(family, point).unwrap_err();
                assert_eq!(err.kind(), ErrorKind::InvalidKey, "{point:02x?}");
                assert!(backend_refuses_point(family, point), "{point:02x?}");
            }
            points
        }
        let p256 = grid(KeyFamily::P256, &P256_P);
        assert_eq!(
            p256[6],
            hex(
                "040000000000000000000000000000000000000000000000000000000000000001\
                 ffffffff00000001000000000000000000000000fffffffffffffffffffffffe"
            ),
            "tcId 338"
        );
        let _ = grid(KeyFamily::P384, &P384_P);
        // tcId 348: the empty encoding.
        assert_eq!(
            check_ec_point(KeyFamily::P256, &[]).unwrap_err().kind(),
            ErrorKind::InvalidKey
        );
    }
}
