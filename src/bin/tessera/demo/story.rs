//! Steps 1 to 10 of `tessera demo`: the authorization server and its JWKS, client registration,
//! the code flow with PKCE (RFC 6749 §4.1, RFC 7636), the API, refresh with rotation and reuse
//! detection (RFC 9700 §4.14.2), client credentials (RFC 6749 §4.4), a task-scoped engine token
//! and an organisation's API key.

use super::*;

#[allow(clippy::too_many_lines)]
pub(super) fn walkthrough(d: &mut Demo) -> Result<(), Failure> {
    d.line("tessera demo: an OAuth 2.0 authorization server, a client app and an API, in memory");
    d.line(
        "  clock fixed at 1800000000 (2027-01-15 08:00:00 UTC); keys and tokens are new each run",
    );
    d.line(&format!(
        "  cryptography: {} (the backend this tessera was built with)",
        tessera::backend()
    ));
    if !d.full {
        d.line("  long tokens and secrets are shortened as abc…; `tessera demo --full` prints them whole");
    }

    // 1. The authorization server.
    d.step(1, T0, "The authorization server starts");
    let jwks = jwt::jwks(std::slice::from_ref(d.issuer.signing_key()))?;
    d.who(
        "AS",
        "signs access tokens with a new ES256 key, kid \"demo-2027-01\"",
    );
    d.who("AS", &format!("policy {}", d.issuer.policy().to_json()));
    d.sent("GET /.well-known/jwks.json   (the API fetches the public key once)");
    d.came_back(&format!("200 OK  {jwks}"));

    // 2. Two clients register.
    d.step(2, T0, "Two clients register");
    let app = Client {
        client_id: "media-app".into(),
        kind: ClientKind::Public,
        redirect_uris: vec![REDIRECT.into()],
        allowed_scope: ScopeSet::parse("job:read job:write recording:read")?,
        default_scope: None,
        grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
        secret_hash: None,
        dpop_bound_access_tokens: false,
    };
    let farm_secret = random_secret(&d.rng)?;
    let farm = Client {
        client_id: "render-farm".into(),
        kind: ClientKind::Confidential,
        redirect_uris: Vec::new(),
        allowed_scope: ScopeSet::parse("job:read job:write recording:read")?,
        default_scope: Some(ScopeSet::parse("job:read")?),
        grant_types: vec![GrantType::ClientCredentials],
        secret_hash: Some(d.issuer.peppers().lookup(&farm_secret)),
        dpop_bound_access_tokens: false,
    };
    d.who("public", "media-app, a native app: PKCE, no secret");
    d.line(&format!("{INDENT}   stored {}", app.to_json()));
    d.who(
        "conf.",
        "render-farm, a backend service: client credentials with a secret",
    );
    d.line(&format!("{INDENT}   its secret, shown once: {farm_secret}"));
    d.line(&format!(
        "{INDENT}   stored {}   (a keyed hash, never the secret)",
        farm.to_json()
    ));
    let _ = d.clients.insert(app.client_id.clone(), app.clone());
    let _ = d.clients.insert(farm.client_id.clone(), farm.clone());

    // 3. Authorization request with PKCE.
    let t = T0 + 1;
    d.step(
        3,
        t,
        "user-42 signs in to media-app: an authorization request with PKCE",
    );
    let verifier = CodeVerifier::generate(&d.rng)?;
    let challenge = verifier.challenge_s256();
    d.who(
        "app",
        &format!("code_verifier  {}   (kept by the app)", verifier.as_str()),
    );
    d.who(
        "app",
        &format!("code_challenge {challenge}   (S256 of the verifier)"),
    );
    let query = encode_form(&[
        ("response_type", "code"),
        ("client_id", "media-app"),
        ("redirect_uri", REDIRECT),
        ("scope", "recording:read job:read"),
        ("state", "af0ifjsldkj"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]);
    d.sent(&format!("GET /authorize?{query}"));
    let request = AuthorizeRequest::from_form(&Form::parse(query.as_bytes())?)?;
    let consent = match d.issuer.check_authorize(Some(&app), &request) {
        Ok(scope) => scope,
        Err(_) => return Err(demo_bug("the authorization request was refused")),
    };
    d.who(
        "AS",
        &format!("consent screen: media-app asks for \"{consent}\"; user-42 approves"),
    );
    let (redirect, code) = d.authorize_approved(&app, &request, t, "code")?;
    d.who(
        "app",
        &format!(
            "state matches; iss is {} (RFC 9207: the answer is from the server it asked)",
            redirect.param("iss").unwrap_or_default()
        ),
    );

    // 4. The code is exchanged.
    let t = T0 + 3;
    d.step(
        4,
        t,
        "media-app exchanges the code (with its PKCE verifier)",
    );
    let body = encode_form(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}"));
    d.who(
        "AS",
        "finds the family by the code's lookup hash; checks client, redirect URI, PKCE",
    );
    let (response, tokens) = d.token_endpoint(None, &body, t);
    d.response(&response);
    let first = tokens.ok_or_else(|| demo_bug("the code exchange failed"))?;
    let rt1 = first
        .refresh_token
        .clone()
        .ok_or_else(|| demo_bug("no refresh token"))?;
    let (header, claims) = jwt_parts(&first.access_token)?;
    d.who("app", "reads the access token (an RFC 9068 JWT):");
    d.line(&format!("{INDENT}   header {header}"));
    d.line(&format!("{INDENT}   claims {claims}"));
    // A second redemption of the same code would be a replay (and revoke the family):
    // the refresh-token replay below shows that path.

    // 5. The API.
    let t = T0 + 10;
    d.step(5, t, "media-app calls the API with the access token");
    let bearer = format!("Bearer {}", first.access_token);
    d.sent(&format!("GET /recordings   Authorization: {bearer}"));
    d.who(
        "API",
        "verifies against the JWKS: ES256 signature, iss, aud \"media-api\", typ at+jwt, exp; scope",
    );
    let response = d.api(&bearer, "recording:read", t);
    d.response(&response);
    d.call_api(
        &format!("DELETE /recordings/7   Authorization: {bearer}   (needs recording:delete)"),
        &bearer,
        "recording:delete",
        t,
    );

    // 6. Refresh with rotation.
    let t = T0 + 240;
    d.step(
        6,
        t,
        "Four minutes later media-app refreshes: the refresh token rotates",
    );
    let body = encode_form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt1),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}"));
    let (response, tokens) = d.token_endpoint(None, &body, t);
    d.response(&response);
    let second = tokens.ok_or_else(|| demo_bug("the refresh failed"))?;
    let rt2 = second
        .refresh_token
        .clone()
        .ok_or_else(|| demo_bug("no rotated refresh token"))?;
    d.who(
        "app",
        "keeps the new refresh token; the old one is now consumed",
    );

    // 7. Replay of the old refresh token.
    let t = T0 + 250;
    d.step(
        7,
        t,
        "Someone replays the OLD refresh token (stolen from the app)",
    );
    let body = encode_form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt1),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}"));
    let (response, _) = d.token_endpoint(None, &body, t);
    d.response(&response);
    d.who(
        "AS",
        "a consumed refresh token came back: reuse (RFC 9700 §4.14.2); the whole family is revoked",
    );
    let body = encode_form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", &rt2),
        ("client_id", "media-app"),
    ]);
    d.sent(&format!("POST /token  {body}   (the app's current token)"));
    let (response, _) = d.token_endpoint(None, &body, t + 1);
    d.response(&response);
    let bearer = format!("Bearer {}", second.access_token);
    d.call_api(
        &format!("GET /recordings   Authorization: {bearer}   (the newest access token)"),
        &bearer,
        "recording:read",
        t + 2,
    );
    let state = d.locate(&second.access_token, t + 2);
    let introspection = d
        .issuer
        .introspect(state.as_ref(), &second.access_token, t + 2);
    d.sent(&format!(
        "POST /introspect  {}",
        encode_form(&[("token", &second.access_token)])
    ));
    d.came_back(&format!("200 OK  {}", introspection.to_json()));
    d.who("app", "must send user-42 through /authorize again");

    // 8. Client credentials.
    let t = T0 + 300;
    d.step(
        8,
        t,
        "render-farm gets a token of its own: client credentials",
    );
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("render-farm:{farm_secret}"))
    );
    d.secret(&basic["Basic ".len()..]);
    let body = encode_form(&[
        ("grant_type", "client_credentials"),
        ("scope", "job:read recording:read"),
    ]);
    d.sent(&format!("POST /token  Authorization: {basic}   {body}"));
    let (response, tokens) = d.token_endpoint(Some(&basic), &body, t);
    d.response(&response);
    let service = tokens.ok_or_else(|| demo_bug("client credentials failed"))?;
    d.who(
        "AS",
        "no refresh token: the client can always ask again (RFC 6749 §4.4.3)",
    );
    let wrong = format!("Basic {}", STANDARD.encode("render-farm:not-the-secret"));
    d.sent(&format!(
        "POST /token  Authorization: {wrong}   {body}   (a wrong secret)"
    ));
    let (response, _) = d.token_endpoint(Some(&wrong), &body, t);
    d.response(&response);

    // 9. A task-scoped engine token.
    let t = T0 + 310;
    d.step(
        9,
        t,
        "render-farm starts a transcoding task: a task-scoped engine token",
    );
    let task_scope = ScopeSet::parse("recording:read")?;
    let engine = d.issuer.issue_engine_token(
        &service.scope,
        &task_scope,
        "task:transcode-991",
        API,
        t,
        &d.rng,
    )?;
    d.secret(&engine.token);
    let (header, claims) = jwt_parts(&engine.token)?;
    d.who(
        "AS",
        &format!(
            "issued for task:transcode-991, down-scoped from \"{}\"",
            service.scope
        ),
    );
    d.line(&format!("{INDENT}   header {header}"));
    d.line(&format!("{INDENT}   claims {claims}"));
    let bearer = format!("Bearer {}", engine.token);
    d.call_api(
        &format!("GET /recordings   Authorization: {bearer}   (the task tries the user API)"),
        &bearer,
        "recording:read",
        t + 1,
    );
    d.who(
        "API",
        "refuses it: typ engine+jwt is not at+jwt (RFC 8725 §3.11), so a task token is never a user token",
    );
    match d.engine_verifier.verify(&engine.token, t + 1) {
        Ok(verified) => d.who(
            "engine",
            &format!(
                "its own verifier (typ engine+jwt) accepts it: sub {}, scope \"{}\"",
                verified.registered().sub.as_deref().unwrap_or_default(),
                verified
                    .claims()
                    .get("scope")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ),
        ),
        Err(e) => return Err(Failure::lib(&e)),
    }
    match d.issuer.issue_engine_token(
        &service.scope,
        &ScopeSet::parse("job:write")?,
        "task:transcode-991",
        API,
        t,
        &d.rng,
    ) {
        Ok(_) => return Err(demo_bug("an engine token exceeded its parent scope")),
        Err(e) => d.who(
            "AS",
            &format!(
                "asked for \"job:write\" (beyond the grant): {}: {e}",
                e.kind().name()
            ),
        ),
    }

    // 10. An API key.
    let t = T0 + 320;
    d.step(10, t, "An organisation creates an API key");
    let format = d.issuer.policy().token_format().clone();
    let api_key = format.generate(TokenKind::ApiKey, &d.rng)?;
    let lookup = d.issuer.peppers().lookup(api_key.as_str());
    d.who("AS", &format!("the key, shown once: {}", api_key.as_str()));
    d.who(
        "host",
        &format!("stores only its lookup hash {lookup} → acme-studios, scope \"job:read\""),
    );
    let _ = d.opaque.insert(
        lookup.to_string(),
        OpaqueRow {
            id: None,
            owner: "acme-studios".into(),
            scope: ScopeSet::parse("job:read")?,
            expires_at: None,
        },
    );
    let bearer = format!("Bearer {}", api_key.as_str());
    d.sent(&format!("GET /jobs   Authorization: {bearer}"));
    d.who(
        "API",
        "checks prefix, kind and checksum offline, then looks the hash up",
    );
    let response = d.api(&bearer, "job:read", t);
    d.response(&response);
    let mut typo: Vec<char> = api_key.as_str().chars().collect();
    let at = typo.len() - 12;
    typo[at] = if typo[at] == 'x' { 'y' } else { 'x' };
    let typo: String = typo.into_iter().collect();
    let bearer = format!("Bearer {typo}");
    d.call_api(
        &format!("GET /jobs   Authorization: {bearer}   (one character mistyped)"),
        &bearer,
        "job:read",
        t,
    );
    d.who(
        "API",
        "refused by the CRC-32 checksum before any database lookup",
    );

    more::implicit_flow(d)?;
    more::dot_default_scope(d)?;
    more::token_api(d)?;
    more::es512_key(d)?;
    bound::dpop(d, &farm_secret)?;

    d.line("");
    d.line("done: every step ran through the tessera library, with no network and no storage.");
    Ok(())
}
