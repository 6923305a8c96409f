//! Step 15 of `tessera demo`: sender-constrained tokens with DPoP (RFC 9449). The client makes
//! a key and signs a proof for its token request; the authorization server validates it
//! ([`ProofValidator`]), refuses the same proof replayed ([`ReplayCache`]) and has the grant
//! engine bind the access token to the key (`cnf.jkt`, `token_type: DPoP`, through
//! [`tessera::dpop::Proof::confirmation`]); the API accepts the token only with a fresh proof
//! by that key carrying the token's hash (`ath`, [`check_binding`]) and refuses it as a Bearer
//! token.

use tessera::dpop::{Presentation, ProofValidator, ReplayCache, check_binding, create_proof};

use super::*;

/// The token endpoint's URI, as a DPoP proof names it (`htu`).
const TOKEN_URI: &str = "https://auth.example/token";
/// The API's URI for the recordings.
const RECORDINGS_URI: &str = "https://api.example/recordings";

/// The proof's header and claims, one line each, for display.
fn show_proof(d: &mut Demo, proof: &str) -> Result<(), Failure> {
    let (header, claims) = jwt_parts(proof)?;
    d.line(&format!("{INDENT}   proof header {header}"));
    d.line(&format!("{INDENT}   proof claims {claims}"));
    Ok(())
}

/// Step 15: DPoP, from the client's key to the API's binding check.
pub(super) fn dpop(d: &mut Demo, farm_secret: &str) -> Result<(), Failure> {
    let t = T0 + 1000;
    d.step(
        15,
        t,
        "render-farm binds its access token to a key of its own: DPoP (RFC 9449)",
    );
    let validator = ProofValidator::new();
    let replay = ReplayCache::new(100_000, &d.rng)?;
    let client_key = Key::generate(Algorithm::ES256, &d.rng)?;
    let jkt = client_key.thumbprint()?;
    d.who(
        "farm",
        &format!(
            "makes an ES256 key pair that never leaves the machine; its RFC 7638 thumbprint \
             (jkt) is {jkt}"
        ),
    );
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("render-farm:{farm_secret}"))
    );
    d.secret(&basic["Basic ".len()..]);
    let body = encode_form(&[
        ("grant_type", "client_credentials"),
        ("scope", "recording:read"),
    ]);

    // The token request, with a proof.
    let proof = create_proof(&client_key, "POST", TOKEN_URI, t, &d.rng, None, None)?;
    d.secret(&proof);
    d.sent(&format!(
        "POST /token   Authorization: {basic}   DPoP: {proof}   {body}"
    ));
    show_proof(d, &proof)?;
    let checked = validator.validate(&proof, "POST", TOKEN_URI, t, None)?;
    replay.check_proof(&checked, t)?;
    d.who(
        "AS",
        &format!(
            "validates the proof (RFC 9449 §4.3: typ, alg, jwk, signature, jti, htm, htu, iat \
             within ±{}s): jkt {}",
            validator.iat_window(),
            checked.jkt()
        ),
    );
    d.who(
        "host",
        &format!(
            "records jti {} in its ReplayCache until {} (t+{}s)",
            checked.jti(),
            checked.replay_until(),
            checked.replay_until() - T0
        ),
    );

    // The token, bound to the key by the grant engine.
    let (response, tokens) =
        d.token_endpoint_bound(Some(&basic), &body, t, Some(&checked.confirmation()));
    d.who(
        "AS",
        "passes the proof's confirmation to the token endpoint: the access token carries \
         cnf.jkt and the response says token_type \"DPoP\"",
    );
    d.response(&response);
    let token = tokens
        .ok_or_else(|| demo_bug("the DPoP token request failed"))?
        .access_token;
    let (_, claims) = jwt_parts(&token)?;
    d.line(&format!("{INDENT}   access token claims {claims}"));

    // The same proof again.
    d.sent("POST /token   DPoP: (the same proof, replayed by someone who copied the request)");
    let again = validator.validate(&proof, "POST", TOKEN_URI, t + 2, None)?;
    match replay.check_proof(&again, t + 2) {
        Ok(()) => return Err(demo_bug("a replayed DPoP proof was accepted")),
        Err(e) => {
            d.who(
                "AS",
                &format!(
                    "the proof itself is valid, but its jti was seen: {}",
                    e.kind().name()
                ),
            );
            d.response(&Response::error(&e, "auth.example"));
        }
    }

    // The API call, with a new proof that carries the token's hash.
    let t = t + 5;
    let proof = create_proof(
        &client_key,
        "GET",
        RECORDINGS_URI,
        t,
        &d.rng,
        None,
        Some(&token),
    )?;
    d.secret(&proof);
    d.sent(&format!(
        "GET /recordings   Authorization: DPoP {token}   DPoP: {proof}"
    ));
    show_proof(d, &proof)?;
    let response = match dpop_api(d, &validator, &replay, &token, Some(&proof), t) {
        Ok(body) => Response {
            status: 200,
            body: body.to_string(),
            challenge: None,
        },
        Err(e) => return Err(Failure::lib(&e).hint("demo: the DPoP call was refused")),
    };
    d.who(
        "API",
        "verifies the token, then the proof with it (ath = SHA-256 of the token), its jti, and \
         that cnf.jkt is the proof's key",
    );
    d.response(&response);

    // The same token as a Bearer token, without a proof.
    d.sent(&format!(
        "GET /recordings   Authorization: Bearer {token}   (the token stolen without its key)"
    ));
    match dpop_api(d, &validator, &replay, &token, None, t + 1) {
        Ok(_) => {
            return Err(demo_bug(
                "a DPoP-bound token was accepted as a Bearer token",
            ));
        }
        Err(e) => {
            d.who(
                "API",
                &format!(
                    "the token is valid, but bound to a key: {}: {}",
                    e.kind().name(),
                    e.detail()
                ),
            );
            let response = ErrorResponse::for_resource(&e);
            d.response(&Response {
                status: response.http_status(),
                body: response.to_json(),
                challenge: None,
            });
        }
    }
    Ok(())
}

/// The API's check of a request to the recordings: the access token (RFC 9068 JWT), then, for
/// `Authorization: DPoP`, the proof validated with the token and recorded against replays, then
/// the binding of `cnf` to how the token was presented.
fn dpop_api(
    d: &Demo,
    validator: &ProofValidator,
    replay: &ReplayCache,
    token: &str,
    proof: Option<&str>,
    now: i64,
) -> Result<Value, Error> {
    let verified = d.api_verifier.verify(token, now)?;
    let checked = match proof {
        Some(proof) => {
            let checked = validator.validate(proof, "GET", RECORDINGS_URI, now, Some(token))?;
            replay.check_proof(&checked, now)?;
            Some(checked)
        }
        None => None,
    };
    let presentation = match &checked {
        Some(checked) => Presentation::Dpop(checked),
        None => Presentation::Bearer,
    };
    let _ = check_binding(verified.claims(), presentation, None, false)?;
    let scope = ScopeSet::from_claims(verified.claims())?;
    scope.check_covers(&ScopeSet::parse("recording:read")?, &Implications::none())?;
    Ok(json!({
        "sub": verified.registered().sub,
        "client_id": verified.claims().get("client_id"),
        "scope": scope.to_scope_string(),
    }))
}
