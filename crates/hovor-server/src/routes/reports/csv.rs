//! CSV files as spreadsheets open them: UTF-8 with a byte-order mark (so
//! Excel reads Czech names right), RFC 4180 quoting and CRLF line ends, and
//! no cell a spreadsheet would run as a formula.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Tells the caller the export stopped at its row limit.
pub const TRUNCATED_HEADER: &str = "hovor-truncated";

/// A CSV document being written, header row first.
pub struct Csv {
    body: String,
}

impl Csv {
    pub fn new(header: &[&str]) -> Csv {
        let mut csv = Csv {
            body: String::from("\u{feff}"),
        };
        csv.row(header.iter().copied());
        csv
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        for (i, cell) in cells.into_iter().enumerate() {
            if i > 0 {
                self.body.push(',');
            }
            push_cell(&mut self.body, cell.as_ref());
        }
        self.body.push_str("\r\n");
    }

    /// The download: `filename` must be plain (letters, digits, `-`, `.`).
    pub fn attachment(self, filename: &str, truncated: bool) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/csv; charset=utf-8"),
        );
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
        headers.insert(header::CONTENT_DISPOSITION, disposition);
        if truncated {
            headers.insert(TRUNCATED_HEADER, HeaderValue::from_static("true"));
        }
        (headers, self.body).into_response()
    }
}

/// One cell: a leading apostrophe when a spreadsheet would take it for a
/// formula, quoted when it holds a separator, a quote or a line break.
fn push_cell(out: &mut String, cell: &str) {
    let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quoted = cell.contains([',', '"', '\r', '\n']);
    if quoted {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    if quoted {
        out.push_str(&cell.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[&str]) -> String {
        let mut csv = Csv::new(&[]);
        csv.body.clear();
        csv.row(cells.iter().copied());
        csv.body
    }

    #[test]
    fn starts_with_a_byte_order_mark_and_the_header() {
        let csv = Csv::new(&["a", "b"]);
        assert_eq!(csv.body, "\u{feff}a,b\r\n");
    }

    #[test]
    fn quotes_what_rfc_4180_says_and_keeps_czech_letters() {
        assert_eq!(line(&["Jana Nováková", "", "x"]), "Jana Nováková,,x\r\n");
        assert_eq!(
            line(&["a,b", "say \"hi\""]),
            "\"a,b\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(line(&["two\nlines"]), "\"two\nlines\"\r\n");
    }

    #[test]
    fn cells_a_spreadsheet_would_run_get_an_apostrophe() {
        assert_eq!(
            line(&["=1+1", "+420", "-x", "@SUM(A1)", "a=b"]),
            "'=1+1,'+420,'-x,'@SUM(A1),a=b\r\n"
        );
        assert_eq!(
            line(&["=HYPERLINK(\"x\",\"y\")"]),
            "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"\r\n"
        );
    }
}
