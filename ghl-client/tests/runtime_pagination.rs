//! `paginate` over hand-made `Paginated` operations of each style (offset,
//! page number, cursor) against a mock server with three pages.

use futures::{StreamExt, TryStreamExt};
use ghl_client::runtime::pagination::{cursor_moved, next_offset, next_page};
use ghl_client::{Client, Error, OperationMeta, Paginated, Request, TokenKind, paginate};
use http::Method;
use serde::Deserialize;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

static LIST: OperationMeta = OperationMeta {
    id: "list-items",
    method: Method::GET,
    path: "/items",
    version: "2021-07-28",
    token: TokenKind::Either,
    scopes: &[],
};

const LIMIT: i64 = 2;

fn client(server: &MockServer) -> Client {
    Client::builder().base_url(server.uri()).private_integration_token("pit").build().unwrap()
}

async fn page(server: &MockServer, matcher: impl wiremock::Match + 'static, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/items"))
        .and(matcher)
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

// --- offset: `offset` + `limit`, total in the body ---

struct ByOffset {
    client: Client,
    offset: Option<i64>,
}

#[derive(Deserialize)]
struct OffsetPage {
    items: Vec<u32>,
    total: Option<i64>,
}

impl Paginated for ByOffset {
    type Page = OffsetPage;
    type Item = u32;
    fn client(&self) -> &Client {
        &self.client
    }
    fn to_request(&self) -> Result<Request, Error> {
        let mut r = Request::new(&LIST, "/items".into());
        r.query("limit", LIMIT);
        r.query("offset", self.offset.unwrap_or(0));
        Ok(r)
    }
    fn advance(&mut self, page: &OffsetPage) -> bool {
        self.offset = next_offset(self.offset, Some(LIMIT), page.items.len(), page.total);
        self.offset.is_some()
    }
    fn items(page: OffsetPage) -> Vec<u32> {
        page.items
    }
}

#[tokio::test]
async fn offset_paging_yields_every_item_once_in_order_and_lazily() {
    let server = MockServer::start().await;
    page(&server, query_param("offset", "0"), json!({"items": [1, 2], "total": 5})).await;
    page(&server, query_param("offset", "2"), json!({"items": [3, 4], "total": 5})).await;
    page(&server, query_param("offset", "4"), json!({"items": [5], "total": 5})).await;
    let stream = paginate(ByOffset { client: client(&server), offset: None });
    futures::pin_mut!(stream);
    let first_two: Vec<u32> = stream.as_mut().take(2).try_collect().await.unwrap();
    assert_eq!(first_two, [1, 2]);
    assert_eq!(server.received_requests().await.unwrap().len(), 1, "the second page is fetched only when needed");
    let rest: Vec<u32> = stream.try_collect().await.unwrap();
    assert_eq!(rest, [3, 4, 5]);
    server.verify().await;
}

// --- page number: `page` + `limit`, last page is short ---

struct ByPage {
    client: Client,
    page: Option<i64>,
}

#[derive(Deserialize)]
struct NumberedPage {
    data: Vec<String>,
}

impl Paginated for ByPage {
    type Page = NumberedPage;
    type Item = String;
    fn client(&self) -> &Client {
        &self.client
    }
    fn to_request(&self) -> Result<Request, Error> {
        let mut r = Request::new(&LIST, "/items".into());
        r.query("limit", LIMIT);
        r.query("page", self.page.unwrap_or(1));
        Ok(r)
    }
    fn advance(&mut self, page: &NumberedPage) -> bool {
        self.page = next_page(self.page, Some(LIMIT), page.data.len(), None);
        self.page.is_some()
    }
    fn items(page: NumberedPage) -> Vec<String> {
        page.data
    }
}

#[tokio::test]
async fn page_number_paging_yields_every_item_once_in_order() {
    let server = MockServer::start().await;
    page(&server, query_param("page", "1"), json!({"data": ["a", "b"]})).await;
    page(&server, query_param("page", "2"), json!({"data": ["c", "d"]})).await;
    page(&server, query_param("page", "3"), json!({"data": ["e"]})).await;
    let all: Vec<String> = paginate(ByPage { client: client(&server), page: None }).try_collect().await.unwrap();
    assert_eq!(all, ["a", "b", "c", "d", "e"]);
    server.verify().await;
}

// --- cursor: `startAfterId` from the page's meta ---

struct ByCursor {
    client: Client,
    start_after_id: Option<String>,
}

#[derive(Deserialize)]
struct CursorPage {
    contacts: Vec<String>,
    meta: CursorMeta,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CursorMeta {
    start_after_id: Option<String>,
}

impl Paginated for ByCursor {
    type Page = CursorPage;
    type Item = String;
    fn client(&self) -> &Client {
        &self.client
    }
    fn to_request(&self) -> Result<Request, Error> {
        let mut r = Request::new(&LIST, "/items".into());
        r.query("limit", LIMIT);
        if let Some(c) = &self.start_after_id {
            r.query("startAfterId", c);
        }
        Ok(r)
    }
    fn advance(&mut self, page: &CursorPage) -> bool {
        let next = page.meta.start_after_id.clone();
        let moved = cursor_moved(self.start_after_id.as_ref(), next.as_ref());
        self.start_after_id = next;
        moved
    }
    fn items(page: CursorPage) -> Vec<String> {
        page.contacts
    }
}

#[tokio::test]
async fn cursor_paging_yields_every_item_once_in_order() {
    let server = MockServer::start().await;
    page(
        &server,
        query_param_is_missing("startAfterId"),
        json!({"contacts": ["c1", "c2"], "meta": {"startAfterId": "c2"}}),
    )
    .await;
    page(&server, query_param("startAfterId", "c2"), json!({"contacts": ["c3", "c4"], "meta": {"startAfterId": "c4"}}))
        .await;
    page(&server, query_param("startAfterId", "c4"), json!({"contacts": ["c5"], "meta": {"startAfterId": null}})).await;
    let all: Vec<String> =
        paginate(ByCursor { client: client(&server), start_after_id: None }).try_collect().await.unwrap();
    assert_eq!(all, ["c1", "c2", "c3", "c4", "c5"]);
    server.verify().await;
}

#[tokio::test]
async fn a_cursor_that_stops_moving_ends_the_stream() {
    let server = MockServer::start().await;
    page(
        &server,
        query_param_is_missing("startAfterId"),
        json!({"contacts": ["c1", "c2"], "meta": {"startAfterId": "c2"}}),
    )
    .await;
    // The server hands back the cursor it was given: following it would loop forever.
    page(&server, query_param("startAfterId", "c2"), json!({"contacts": ["c3", "c4"], "meta": {"startAfterId": "c2"}}))
        .await;
    let all: Vec<String> =
        paginate(ByCursor { client: client(&server), start_after_id: None }).try_collect().await.unwrap();
    assert_eq!(all, ["c1", "c2", "c3", "c4"]);
    server.verify().await;
}

#[tokio::test]
async fn an_error_ends_the_stream_after_the_items_already_fetched() {
    let server = MockServer::start().await;
    page(&server, query_param("offset", "0"), json!({"items": [1, 2], "total": 5})).await;
    Mock::given(query_param("offset", "2")).respond_with(ResponseTemplate::new(404)).expect(1).mount(&server).await;
    let results: Vec<Result<u32, Error>> = paginate(ByOffset { client: client(&server), offset: None }).collect().await;
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert_eq!(results[2].as_ref().unwrap_err().status(), Some(http::StatusCode::NOT_FOUND));
    server.verify().await;
}
