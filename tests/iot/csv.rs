//! Stage: read. In: the text of one RFC 4180 CSV file (quoted fields may hold commas, doubled
//! quotes and line breaks). Out: the header row and the data rows as `Vec<String>`.
//! Knows nothing about what the columns mean; `mapping.rs` and the catalog readers do.

/// One parsed CSV file.
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Parses `text` as RFC 4180; a final line break is optional.
pub fn parse(text: &str) -> Table {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    let mut records = records.into_iter();
    let header = records.next().unwrap_or_default();
    let width = header.len();
    let rows = records
        .map(|mut r| {
            r.resize(width.max(r.len()), String::new());
            r
        })
        .collect();
    Table { header, rows }
}

#[test]
fn csv_quoted_field_keeps_comma_quote_and_newline() {
    let t = parse("a,b\n\"x, \"\"y\"\"\nz\",w\n");
    assert_eq!(t.header, ["a", "b"]);
    assert_eq!(t.rows, [vec!["x, \"y\"\nz".to_string(), "w".to_string()]]);
}
