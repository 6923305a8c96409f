//! Steps 11 to 14 of `tessera demo`: the implicit flow (RFC 6749 §4.2, deprecated by RFC 9700
//! §2.1.2), an M2M client granted a `.default` URI scope, a platform's token API (mint an
//! opaque access token with a scope and a TTL, revoke it with `DELETE`), and an ES512 signing
//! key beside the ES256 one (with the aws-lc backend).

use super::*;

/// Step 11: the implicit flow (RFC 6749 §4.2): the access token comes back in the redirect
/// fragment, with no refresh token; RFC 9700 §2.1.2 deprecates it.
pub(super) fn implicit_flow(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 330;
    d.step(
        11,
        t,
        "A legacy single-page app signs user-42 in with the implicit flow (deprecated)",
    );
    let spa = Client {
        client_id: "legacy-spa".into(),
        kind: ClientKind::Public,
        redirect_uris: vec![SPA_REDIRECT.into()],
        allowed_scope: ScopeSet::parse("recording:read")?,
        default_scope: None,
        grant_types: vec![GrantType::Implicit],
        secret_hash: None,
        dpop_bound_access_tokens: false,
    };
    d.who(
        "public",
        "legacy-spa, registered for the implicit grant only (response_type=token)",
    );
    d.line(&format!("{INDENT}   stored {}", spa.to_json()));
    let _ = d.clients.insert(spa.client_id.clone(), spa.clone());
    d.who(
        "AS",
        "WARNING: RFC 9700 §2.1.2: the implicit grant SHOULD NOT be used: the token travels in \
         the URL, can leak and be replayed, and cannot be sender-constrained; new apps use the \
         code flow with PKCE (step 3)",
    );
    let query = encode_form(&[
        ("response_type", "token"),
        ("client_id", "legacy-spa"),
        ("redirect_uri", SPA_REDIRECT),
        ("scope", "recording:read"),
        ("state", "n-0S6_WzA2Mj"),
    ]);
    d.sent(&format!("GET /authorize?{query}"));
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
    let (redirect, access_token) = d.authorize_approved(&spa, &request, t, "access_token")?;
    let refresh = match redirect.param("refresh_token") {
        Some(_) => return Err(demo_bug("the implicit grant returned a refresh token")),
        None => "no refresh_token (RFC 6749 §4.2.2)",
    };
    d.who(
        "spa",
        &format!(
            "reads the token from the fragment (#…, never sent to a server); {refresh}: when it \
             expires, user-42 goes through /authorize again"
        ),
    );
    let bearer = format!("Bearer {access_token}");
    d.call_api(
        &format!("GET /recordings   Authorization: {bearer}"),
        &bearer,
        "recording:read",
        t + 1,
    );
    // A client not registered for the implicit grant cannot switch to it.
    let query = encode_form(&[
        ("response_type", "token"),
        ("client_id", "media-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "job:read"),
        ("state", "xyz"),
    ]);
    d.sent(&format!("GET /authorize?{query}   (media-app tries it)"));
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
    let app = d.clients.get("media-app").cloned();
    match d.issuer.check_authorize(app.as_ref(), &request) {
        Err(AuthorizeOutcome::Rejected { redirect, .. }) => {
            d.came_back(&format!("302 Found  Location: {}", redirect.location));
            d.who(
                "AS",
                "media-app is not registered for the implicit grant: the error goes back in the \
                 fragment",
            );
        }
        _ => return Err(demo_bug("media-app was allowed the implicit grant")),
    }
    Ok(())
}

/// Step 12: an M2M client asks for a `.default` URI scope with client credentials.
pub(super) fn dot_default_scope(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 340;
    d.step(
        12,
        t,
        "report-daemon asks for a .default URI scope: client credentials",
    );
    let secret = random_secret(&d.rng)?;
    let daemon = Client {
        client_id: "report-daemon".into(),
        kind: ClientKind::Confidential,
        redirect_uris: Vec::new(),
        allowed_scope: ScopeSet::parse(DOT_DEFAULT)?,
        default_scope: None,
        grant_types: vec![GrantType::ClientCredentials],
        secret_hash: Some(d.issuer.peppers().lookup(&secret)),
        dpop_bound_access_tokens: false,
    };
    d.who(
        "conf.",
        "report-daemon, a backend job: client credentials, one URI scope",
    );
    d.line(&format!("{INDENT}   its secret, shown once: {secret}"));
    d.line(&format!("{INDENT}   stored {}", daemon.to_json()));
    let _ = d.clients.insert(daemon.client_id.clone(), daemon);
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("report-daemon:{secret}"))
    );
    d.secret(&basic["Basic ".len()..]);
    let body = encode_form(&[("grant_type", "client_credentials"), ("scope", DOT_DEFAULT)]);
    d.sent(&format!("POST /token  Authorization: {basic}   {body}"));
    let (response, tokens) = d.token_endpoint(Some(&basic), &body, t);
    d.response(&response);
    let tokens = tokens.ok_or_else(|| demo_bug("the .default scope was refused"))?;
    let (_, claims) = jwt_parts(&tokens.access_token)?;
    d.line(&format!("{INDENT}   claims {claims}"));
    d.who(
        "AS",
        &format!(
            "\"{DOT_DEFAULT}\" is one RFC 6749 §3.3 scope-token: granted because it is in \
             the client's allowed_scope; what it stands for is the API's to decide"
        ),
    );
    let bearer = format!("Bearer {}", tokens.access_token);
    d.call_api(
        &format!("GET /reports   Authorization: {bearer}   (needs {DOT_DEFAULT})"),
        &bearer,
        DOT_DEFAULT,
        t + 1,
    );
    Ok(())
}

/// Step 13: a platform's token-management API: mint a scoped opaque access token with a TTL,
/// use it, `DELETE /api/tokens/{id}`, and the API refusing it afterwards.
pub(super) fn token_api(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 350;
    d.step(
        13,
        t,
        "acme-studios mints a CI token on the platform, then deletes it",
    );
    let ttl: i64 = 3600;
    let request = json!({"name": "ci-deploy", "scope": "job:write job:read", "ttl": ttl});
    d.sent(&format!(
        "POST /api/tokens  {request}   (an acme-studios admin, signed in to the platform)"
    ));
    let scope = ScopeSet::parse("job:write job:read")?;
    ScopeSet::parse(ORG_SCOPE)?.check_covers(&scope, &Implications::none())?;
    d.who(
        "host",
        &format!("the scope is valid and within what acme-studios may grant (\"{ORG_SCOPE}\")"),
    );
    let format = d.issuer.policy().token_format().clone();
    let token = format.generate(TokenKind::AccessToken, &d.rng)?;
    let lookup = d.issuer.peppers().lookup(token.as_str());
    d.secret(token.as_str());
    let id = "tok_7Hq2";
    let expires_at = t + ttl;
    let _ = d.opaque.insert(
        lookup.to_string(),
        OpaqueRow {
            id: Some(id.into()),
            owner: "acme-studios".into(),
            scope: scope.clone(),
            expires_at: Some(expires_at),
        },
    );
    d.who(
        "host",
        &format!(
            "a new opaque access token (kind at); stores only its lookup hash {lookup} → \
             {id}, acme-studios, scope \"{scope}\", expires_at {expires_at}"
        ),
    );
    let body = json!({
        "id": id,
        "token": token.as_str(),
        "scope": scope.to_scope_string(),
        "expires_at": expires_at,
    });
    d.response(&Response {
        status: 201,
        body: body.to_string(),
        challenge: None,
    });
    d.who("ci", "keeps the token (shown once) in its secret store");
    let bearer = format!("Bearer {}", token.as_str());
    let t = T0 + 400;
    d.sent(&format!(
        "POST /jobs   Authorization: {bearer}   (needs job:write)"
    ));
    d.who(
        "API",
        "prefix, kind and checksum offline; the hash finds the row; not expired; scope",
    );
    let response = d.api(&bearer, "job:write", t);
    d.response(&response);

    let t = T0 + 900;
    d.sent(&format!(
        "DELETE /api/tokens/{id}   (the admin revokes it; t+{}s)",
        t - T0
    ));
    let before = d.opaque.len();
    d.opaque
        .retain(|_, row| row.id.as_deref() != Some(id) || row.owner != "acme-studios");
    if d.opaque.len() + 1 != before {
        return Err(demo_bug("the token row was not deleted"));
    }
    d.who(
        "host",
        &format!(
            "deletes the row of {id} (its lookup hash {lookup}): the engine stores nothing, so \
             revoking an opaque token is forgetting its hash"
        ),
    );
    d.response(&Response {
        status: 204,
        body: String::new(),
        challenge: None,
    });
    d.call_api(
        &format!("POST /jobs   Authorization: {bearer}   (the same token)"),
        &bearer,
        "job:write",
        t + 1,
    );
    d.who(
        "API",
        "a well-formed token with no row: refused at once, long before its TTL ran out",
    );
    Ok(())
}

/// Step 14: the AS adds an ES512 key (P-521, RFC 7518 §3.4) beside its ES256 one, when the
/// backend has P-521 (aws-lc): the JWKS carries both, the API refreshes its key set and
/// verifies a token signed with the new key, choosing the key by `kid`. With ring the step
/// shows the library's typed refusal instead.
pub(super) fn es512_key(d: &mut Demo) -> Result<(), Failure> {
    let t = T0 + 960;
    d.step(
        14,
        t,
        "The AS adds an ES512 (P-521) signing key to its JWKS",
    );
    let backend = tessera::backend();
    let kid = "demo-2027-01-p521";
    let key = match Key::generate(Algorithm::ES512, &d.rng) {
        Ok(key) => key.with_kid(kid),
        Err(e) => {
            d.who(
                "AS",
                &format!(
                    "on {backend}, a new ES512 key is refused: {}: {}",
                    e.kind().name(),
                    e.detail()
                ),
            );
            d.who(
                "AS",
                "P-521 (ES512) and secp256k1 (ES256K) keys need the aws-lc backend: \
                 `cargo run --release --features cli,aws-lc -- demo` shows this step",
            );
            return Ok(());
        }
    };
    d.who(
        "AS",
        &format!("a new ES512 key on {backend}, kid \"{kid}\", published beside the ES256 one"),
    );
    let jwks = jwt::jwks(&[d.issuer.signing_key().clone(), key.clone()])?;
    d.sent("GET /.well-known/jwks.json   (the API refreshes its key set)");
    d.came_back(&format!("200 OK  {jwks}"));
    d.api_verifier = Verifier::builder(KeySet::from_jwks(jwks.as_bytes(), &[])?)
        .issuer(ISSUER)
        .audience(API)
        .typ("at+jwt")
        .build()?;
    let claims = json!({
        "iss": ISSUER, "sub": "user-42", "aud": API, "client_id": "media-app",
        "scope": "recording:read", "iat": t, "exp": t + 300, "jti": "es512-demo-1",
    });
    let token = jwt::sign(&key, &Header::new().typ("at+jwt"), &claims, &d.rng)?;
    d.secret(&token);
    let signature = token
        .rsplit('.')
        .next()
        .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
        .ok_or_else(|| demo_bug("the ES512 token has no signature"))?;
    let (header, _) = jwt_parts(&token)?;
    d.who(
        "AS",
        &format!(
            "signs an access token with it: header {header}, a {}-byte signature (r ‖ s)",
            signature.len()
        ),
    );
    let bearer = format!("Bearer {token}");
    d.call_api(
        &format!("GET /recordings   Authorization: {bearer}"),
        &bearer,
        "recording:read",
        t + 1,
    );
    d.who(
        "API",
        "found the key by kid; the key decides the algorithm (ES512), never the token's header",
    );
    Ok(())
}
