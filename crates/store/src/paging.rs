//! One page of a list that can grow: the rows of the page and how many
//! match in all, both counted in SQL.

use serde::Serialize;

/// The most rows one page may hold.
pub const MAX_PAGE_ROWS: i64 = 1000;

/// Which rows of the matching ones a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

impl Window {
    pub fn new(limit: i64, offset: i64) -> Window {
        Window { limit, offset }
    }

    /// `limit` within 1..=[`MAX_PAGE_ROWS`], `offset` at least 0.
    pub(crate) fn bounded(self) -> (i64, i64) {
        (self.limit.clamp(1, MAX_PAGE_ROWS), self.offset.max(0))
    }
}

impl Default for Window {
    fn default() -> Window {
        Window::new(50, 0)
    }
}

/// The rows of a page and the number of rows matching in all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
        }
    }
}
