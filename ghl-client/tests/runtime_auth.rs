//! Auth and the token lifecycle against a mock server: refresh (single
//! flight, across processes, rotation), 401 handling, scopes, token kinds,
//! location tokens from an agency token, and the code exchange.

use std::sync::Arc;

use ghl_client::{
    Client, ClientBuilder, Error, FileTokenStore, MemoryTokenStore, OAuthApp, OAuthTokens, OperationMeta, Request,
    TokenKind, TokenRecord, TokenStore, UserType,
};
use http::Method;
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

static GET_THING: OperationMeta = OperationMeta {
    id: "get-thing",
    method: Method::GET,
    path: "/things/{thingId}",
    version: "2021-07-28",
    token: TokenKind::Location,
    scopes: &["things.readonly"],
};

static LIST_AGENCY_THINGS: OperationMeta = OperationMeta {
    id: "list-agency-things",
    method: Method::GET,
    path: "/agency/things",
    version: "2021-04-15",
    token: TokenKind::Agency,
    scopes: &["things.readonly"],
};

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn builder(server: &MockServer) -> ClientBuilder {
    // No timers during I/O: with a paused clock they would fire at once.
    Client::builder().base_url(server.uri()).connect_timeout(None).timeout(None).deadline(None).pool_idle_timeout(None)
}

fn get_thing() -> Request {
    Request::new(&GET_THING, "/things/1".to_owned())
}

fn expired(access: &str, refresh: &str, user_type: UserType) -> OAuthTokens {
    OAuthTokens::new(access, Some(refresh.to_owned()), now() - 10, user_type)
}

fn fresh(access: &str, refresh: &str, user_type: UserType) -> OAuthTokens {
    OAuthTokens::new(access, Some(refresh.to_owned()), now() + 86_000, user_type)
}

fn token_answer(access: &str, refresh: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": 86399,
        "refresh_token": refresh,
        "scope": "things.readonly",
        "userType": "Location",
        "locationId": "loc-1",
        "userId": "u1"
    }))
}

async fn mount_refresh(server: &MockServer, old_refresh: &str, access: &str, refresh: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains(format!("refresh_token={old_refresh}")))
        .and(body_string_contains("client_id=cid"))
        .and(body_string_contains("client_secret=csecret"))
        .and(body_string_contains("user_type=Location"))
        .respond_with(token_answer(access, refresh).set_delay(std::time::Duration::from_millis(30)))
        .expect(times)
        .named("refresh")
        .mount(server)
        .await;
}

async fn mount_thing(server: &MockServer, token: &str, times: u64) {
    Mock::given(method("GET"))
        .and(path("/things/1"))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .and(header("version", "2021-07-28"))
        .and(header("user-agent", concat!("ghl-client/", env!("CARGO_PKG_VERSION"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1"})))
        .expect(times)
        .named(format!("thing with {token}"))
        .mount(server)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_calls_share_one_refresh_and_store_the_rotated_token() {
    let server = MockServer::start().await;
    mount_refresh(&server, "old-refresh", "new-access", "new-refresh", 1).await;
    mount_thing(&server, "new-access", 64).await;
    let store = Arc::new(MemoryTokenStore::with_tokens(expired("old-access", "old-refresh", UserType::Location)));
    let client = builder(&server)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(store.clone())
        .location_id("loc-1")
        .build()
        .unwrap();

    let calls: Vec<_> = (0..64)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.execute::<Value>(get_thing()).await })
        })
        .collect();
    for call in calls {
        let response = call.await.unwrap().unwrap();
        assert_eq!(response.body["id"], "1");
    }
    server.verify().await;

    let record = store.get().await.unwrap().unwrap();
    assert_eq!(record.tokens.refresh_token.as_ref().unwrap().expose_secret(), "new-refresh");
    assert_eq!(record.tokens.access_token.expose_secret(), "new-access");
    assert!(record.lease.is_none(), "the refresh lease is released");
    assert_eq!(record.tokens.location_id.as_deref(), Some("loc-1"));
}

#[tokio::test(start_paused = true)]
async fn two_clients_sharing_one_file_store_refresh_once() {
    let server = MockServer::start().await;
    mount_refresh(&server, "old-refresh", "new-access", "new-refresh", 1).await;
    mount_thing(&server, "new-access", 2).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tokens.json");
    let seed = TokenRecord::new(expired("old-access", "old-refresh", UserType::Location));
    assert!(FileTokenStore::new(&file).compare_and_swap(None, &seed).await.unwrap());

    // Two stores on one file: nothing shared in memory, as in two processes.
    let client = |s: FileTokenStore| {
        builder(&server).oauth(OAuthApp::new("cid", "csecret")).token_store(Arc::new(s)).build().unwrap()
    };
    let a = client(FileTokenStore::new(&file));
    let b = client(FileTokenStore::new(&file));
    let (ra, rb) = tokio::join!(a.execute::<Value>(get_thing()), b.execute::<Value>(get_thing()));
    ra.unwrap();
    rb.unwrap();
    server.verify().await;

    let record = FileTokenStore::new(&file).get().await.unwrap().unwrap();
    assert_eq!(record.tokens.refresh_token.unwrap().expose_secret(), "new-refresh");
    assert!(record.lease.is_none());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_scope_401_is_final_and_names_the_scope() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/things/1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "statusCode": 401, "message": "The token is not authorized for this scope.", "traceId": "tr-1"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/token")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let store = Arc::new(MemoryTokenStore::with_tokens(fresh("access", "refresh", UserType::Location)));
    let client = builder(&server).oauth(OAuthApp::new("cid", "csecret")).token_store(store).build().unwrap();

    let e = client.execute::<Value>(get_thing()).await.unwrap_err();
    assert!(matches!(e, Error::Auth { .. }), "{e:?}");
    assert_eq!(e.missing_scope(), Some("things.readonly"));
    assert_eq!(e.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert_eq!(e.request_id(), Some("tr-1"));
    assert!(!e.is_retryable());
    let text = e.to_string();
    assert!(text.contains("`things.readonly`") && text.contains("add the scope"), "{text}");
    server.verify().await;
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once() {
    let server = MockServer::start().await;
    mount_refresh(&server, "refresh-1", "access-2", "refresh-2", 1).await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer access-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "Invalid JWT"})))
        .expect(1)
        .mount(&server)
        .await;
    mount_thing(&server, "access-2", 1).await;
    // Not expired locally: only the server knows it is no longer valid.
    let store = Arc::new(MemoryTokenStore::with_tokens(fresh("access-1", "refresh-1", UserType::Location)));
    let client = builder(&server).oauth(OAuthApp::new("cid", "csecret")).token_store(store.clone()).build().unwrap();
    client.execute::<Value>(get_thing()).await.unwrap();
    server.verify().await;
    assert_eq!(store.get().await.unwrap().unwrap().tokens.refresh_token.unwrap().expose_secret(), "refresh-2");
}

#[tokio::test]
async fn a_second_401_after_refreshing_is_returned_not_retried_again() {
    let server = MockServer::start().await;
    mount_refresh(&server, "refresh-1", "access-2", "refresh-2", 1).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"statusCode": 401, "message": "Invalid JWT"})))
        .expect(2)
        .mount(&server)
        .await;
    let store = Arc::new(MemoryTokenStore::with_tokens(fresh("access-1", "refresh-1", UserType::Location)));
    let client = builder(&server).oauth(OAuthApp::new("cid", "csecret")).token_store(store).build().unwrap();
    let e = client.execute::<Value>(get_thing()).await.unwrap_err();
    assert!(e.to_string().contains("rejected again after renewing"), "{e}");
    server.verify().await;
}

#[tokio::test]
async fn a_static_token_401_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"statusCode": 401, "message": "Invalid Private Integration token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = builder(&server).private_integration_token("pit-1").build().unwrap();
    let e = client.execute::<Value>(get_thing()).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("Invalid Private Integration token") && text.contains("check that the token is current"),
        "{text}"
    );
}

#[tokio::test]
async fn proactive_refresh_happens_shortly_before_expiry() {
    let server = MockServer::start().await;
    mount_refresh(&server, "refresh-1", "access-2", "refresh-2", 1).await;
    mount_thing(&server, "access-2", 1).await;
    // Valid for two more minutes: inside the default five-minute margin.
    let tokens = OAuthTokens::new("access-1", Some("refresh-1".into()), now() + 120, UserType::Location);
    let client = builder(&server)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(MemoryTokenStore::with_tokens(tokens)))
        .build()
        .unwrap();
    client.execute::<Value>(get_thing()).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn a_rejected_refresh_token_says_to_authorize_again_and_releases_the_lease() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"error": "invalid_grant", "message": "Invalid refresh token"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let store = Arc::new(MemoryTokenStore::with_tokens(expired("a", "r", UserType::Location)));
    let client = builder(&server).oauth(OAuthApp::new("cid", "csecret")).token_store(store.clone()).build().unwrap();
    let e = client.execute::<Value>(get_thing()).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("invalid_grant") && text.contains("authorize the app again"), "{text}");
    assert!(store.get().await.unwrap().unwrap().lease.is_none());
}

#[tokio::test]
async fn an_agency_token_yields_a_cached_location_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/locationToken"))
        .and(header("authorization", "Bearer agency-access"))
        .and(body_string_contains("companyId=comp-1"))
        .and(body_string_contains("locationId=loc-9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "loc-access", "token_type": "Bearer", "expires_in": 86399, "locationId": "loc-9", "userId": "u"
        })))
        .expect(1)
        .mount(&server)
        .await;
    mount_thing(&server, "loc-access", 3).await;
    Mock::given(method("GET"))
        .and(path("/agency/things"))
        .and(header("authorization", "Bearer agency-access"))
        .and(header("version", "2021-04-15"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = fresh("agency-access", "agency-refresh", UserType::Company).company_id("comp-1");
    let client = builder(&server)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(MemoryTokenStore::with_tokens(tokens)))
        .build()
        .unwrap();
    for _ in 0..3 {
        let mut r = get_thing();
        r.scope_key("loc-9");
        client.execute::<Value>(r).await.unwrap();
    }
    client.execute::<Value>(Request::new(&LIST_AGENCY_THINGS, "/agency/things".into())).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn the_token_kind_is_chosen_per_operation_and_a_missing_one_is_a_clear_error() {
    let server = MockServer::start().await;
    mount_thing(&server, "loc-pit", 1).await;
    let client = builder(&server).location_token("loc-pit").build().unwrap();
    client.execute::<Value>(get_thing()).await.unwrap();
    let e = client.execute::<Value>(Request::new(&LIST_AGENCY_THINGS, "/agency/things".into())).await.unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("list-agency-things")
            && text.contains("agency (company) token")
            && text.contains(".agency_token("),
        "{text}"
    );
    server.verify().await; // the agency call was never sent

    let tokens = fresh("a", "r", UserType::Location);
    let oauth = builder(&server)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(MemoryTokenStore::with_tokens(tokens)))
        .build()
        .unwrap();
    let e = oauth.execute::<Value>(Request::new(&LIST_AGENCY_THINGS, "/agency/things".into())).await.unwrap_err();
    assert!(e.to_string().contains("the stored OAuth token is a location token"), "{e}");
}

#[tokio::test]
async fn the_code_exchange_stores_tokens_that_calls_then_use() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains("redirect_uri=https%3A%2F%2Fapp.example%2Fcb"))
        .and(body_string_contains("user_type=Location"))
        .respond_with(token_answer("first-access", "first-refresh"))
        .expect(1)
        .mount(&server)
        .await;
    mount_thing(&server, "first-access", 1).await;
    let client = builder(&server).oauth(OAuthApp::new("cid", "csecret")).build().unwrap();
    let e = client.execute::<Value>(get_thing()).await.unwrap_err();
    assert!(e.to_string().contains("no OAuth tokens are stored yet"), "{e}");
    let tokens = client.exchange_code("the-code", Some("https://app.example/cb"), UserType::Location).await.unwrap();
    assert_eq!(tokens.location_id.as_deref(), Some("loc-1"));
    client.execute::<Value>(get_thing()).await.unwrap();
    server.verify().await;

    let url = client.authorization_url("https://app.example/cb").unwrap().scope("things.readonly").to_string();
    assert!(url.contains("client_id=cid") && !url.contains("csecret"), "{url}");
}

#[tokio::test]
async fn a_rejected_location_token_is_fetched_again_once() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/locationToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "loc-1", "expires_in": 86399})))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/locationToken"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "loc-2", "expires_in": 86399})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/things/1"))
        .and(header("authorization", "Bearer loc-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "Invalid JWT"})))
        .expect(1)
        .mount(&server)
        .await;
    mount_thing(&server, "loc-2", 1).await;
    let tokens = fresh("agency-access", "agency-refresh", UserType::Company).company_id("comp-1");
    let client = builder(&server)
        .oauth(OAuthApp::new("cid", "csecret"))
        .token_store(Arc::new(MemoryTokenStore::with_tokens(tokens)))
        .location_id("loc-9")
        .build()
        .unwrap();
    client.execute::<Value>(get_thing()).await.unwrap();
    server.verify().await;
}

#[tokio::test]
async fn refresh_now_on_an_expired_token_refreshes_exactly_once() {
    let server = MockServer::start().await;
    mount_refresh(&server, "refresh-1", "access-2", "refresh-2", 1).await;
    let store = Arc::new(MemoryTokenStore::with_tokens(expired("access-1", "refresh-1", UserType::Location)));
    let client = builder(&server).oauth(OAuthApp::new("cid", "csecret")).token_store(store.clone()).build().unwrap();
    client.refresh_now().await.unwrap();
    server.verify().await;
    let record = store.get().await.unwrap().expect("tokens stored");
    assert_eq!(
        record.tokens.refresh_token.as_ref().map(|t| t.expose_secret().to_owned()).as_deref(),
        Some("refresh-2")
    );
}

/// API v3's token endpoints: camelCase JSON and `Version: v3` at `/oauth/token`,
/// `/oauth/location-token`, camelCase answers. The same tokens then serve v2
/// and v3 operations from one store.
#[tokio::test]
async fn the_v3_token_endpoints_take_camel_case_json_and_answer_in_kind() {
    use ghl_client::TokenApi;
    use wiremock::matchers::body_json;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("version", "v3"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "clientId": "cid", "clientSecret": "csecret", "grantType": "refresh_token",
            "refreshToken": "agency-refresh", "userType": "Company"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "accessToken": "agency-access-2", "refreshToken": "agency-refresh-2", "expiresIn": 86399,
            "userType": "Company", "companyId": "comp-1", "userId": "u1"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/location-token"))
        .and(header("version", "v3"))
        .and(header("authorization", "Bearer agency-access-2"))
        .and(body_string_contains("companyId=comp-1"))
        .and(body_string_contains("locationId=loc-9"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"accessToken": "loc-access", "expiresIn": 86399})),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_thing(&server, "loc-access", 1).await;
    let tokens = expired("agency-access", "agency-refresh", UserType::Company).company_id("comp-1");
    let store = Arc::new(MemoryTokenStore::with_tokens(tokens));
    let client = builder(&server)
        .oauth(OAuthApp::new("cid", "csecret").token_api(TokenApi::V3))
        .token_store(store.clone())
        .location_id("loc-9")
        .build()
        .unwrap();
    client.execute::<Value>(get_thing()).await.unwrap();
    server.verify().await;
    let record = store.get().await.unwrap().unwrap();
    assert_eq!(record.tokens.refresh_token.unwrap().expose_secret(), "agency-refresh-2");
}
