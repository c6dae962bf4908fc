//! Lazily fetched streams over paged operations.
//!
//! The generator implements [`Paginated`] for every operation the spec marks
//! with `x-ghl-pagination`; [`paginate`] turns one into a stream that fetches
//! a page only when the previous one is used up and holds one page at a time.

use std::collections::VecDeque;

use futures::Stream;
use serde::de::DeserializeOwned;

use crate::{Client, Error, Request};

/// An operation whose response is one page of a longer list.
///
/// The generated builders of paged operations implement it; call their
/// `stream()`, or [`paginate`]. Its methods are the generator's interface and
/// may change in a minor release.
pub trait Paginated: Sized + Send + 'static {
    /// The decoded response of one call.
    type Page: DeserializeOwned + Send;
    /// One element of the list.
    type Item: Send + 'static;

    /// The client the calls go through.
    fn client(&self) -> &Client;
    /// The request for the current page.
    fn to_request(&self) -> Result<Request, Error>;
    /// Moves the paging parameters past `page`. Returns `false` when `page`
    /// was the last one (short page, total reached, or a cursor that did not move).
    #[doc(hidden)]
    fn advance(&mut self, page: &Self::Page) -> bool;
    /// Takes the items out of a page.
    fn items(page: Self::Page) -> Vec<Self::Item>;
}

/// A stream over every item of a paged operation, in server order.
pub fn paginate<P: Paginated>(op: P) -> impl Stream<Item = Result<P::Item, Error>> + Send + 'static {
    let state = (Some(op), VecDeque::<P::Item>::new());
    futures::stream::unfold(state, |(mut next, mut buffer)| async move {
        loop {
            if let Some(item) = buffer.pop_front() {
                return Some((Ok(item), (next, buffer)));
            }
            let mut op = next.take()?;
            let request = match op.to_request() {
                Ok(r) => r,
                Err(e) => return Some((Err(e), (None, buffer))),
            };
            let page: P::Page = match op.client().execute(request).await {
                Ok(resp) => resp.body,
                Err(e) => return Some((Err(e), (None, buffer))),
            };
            let more = op.advance(&page);
            buffer = P::items(page).into();
            if more && !buffer.is_empty() {
                next = Some(op);
            }
        }
    })
}

#[doc(hidden)] // generated code only
/// Next offset for offset/skip paging, or `None` when the page was the last.
///
/// `limit` is the requested page size (a shorter page is the last), `total`
/// the server's total count when it reports one.
pub fn next_offset(current: Option<i64>, limit: Option<i64>, count: usize, total: Option<i64>) -> Option<i64> {
    let count = i64::try_from(count).ok()?;
    if count == 0 || limit.is_some_and(|l| count < l) {
        return None;
    }
    let next = current.unwrap_or(0).checked_add(count)?;
    if total.is_some_and(|t| next >= t) {
        return None;
    }
    Some(next)
}

#[doc(hidden)] // generated code only
/// Next page number for page paging (first page is `1` when unset).
pub fn next_page(current: Option<i64>, limit: Option<i64>, count: usize, total: Option<i64>) -> Option<i64> {
    let count = i64::try_from(count).ok()?;
    if count == 0 || limit.is_some_and(|l| count < l) {
        return None;
    }
    let page = current.unwrap_or(1);
    if let (Some(total), Some(limit)) = (total, limit)
        && page.saturating_mul(limit) >= total
    {
        return None;
    }
    page.checked_add(1)
}

#[doc(hidden)] // generated code only
/// Whether a cursor moved: a missing or repeated cursor ends the stream.
pub fn cursor_moved<T: PartialEq>(current: Option<&T>, next: Option<&T>) -> bool {
    match next {
        None => false,
        Some(n) => current != Some(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_stops_on_short_page_and_total() {
        assert_eq!(next_offset(None, Some(10), 10, None), Some(10));
        assert_eq!(next_offset(Some(10), Some(10), 3, None), None);
        assert_eq!(next_offset(Some(10), Some(10), 10, Some(20)), None);
        assert_eq!(next_offset(Some(0), None, 0, None), None);
    }

    #[test]
    fn page_stops_on_short_page_and_total() {
        assert_eq!(next_page(None, Some(5), 5, None), Some(2));
        assert_eq!(next_page(Some(2), Some(5), 5, Some(10)), None);
        assert_eq!(next_page(Some(2), Some(5), 4, None), None);
    }

    #[test]
    fn cursor_must_move() {
        assert!(cursor_moved(Some(&"a"), Some(&"b")));
        assert!(!cursor_moved(Some(&"a"), Some(&"a")));
        assert!(!cursor_moved::<&str>(Some(&"a"), None));
        assert!(cursor_moved(None, Some(&"a")));
    }
}
