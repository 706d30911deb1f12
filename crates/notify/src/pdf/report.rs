//! A report of tables (the annual activity report) as an A4 PDF: a title page heading, then
//! each section with its table, the columns sharing the page's width, totals in bold, pages
//! added as the tables run on.

use super::{A4, MARGIN, Page, fit, wrap, write_pdf};

/// A report already laid out in French: titles, headings, cells as text.
#[derive(Debug, Clone)]
pub struct TableReport {
    pub title: String,
    pub note: String,
    pub sections: Vec<TableSection>,
}

#[derive(Debug, Clone)]
pub struct TableSection {
    pub title: String,
    pub headings: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Rows printed in bold (group titles and totals).
    pub total_rows: Vec<usize>,
}

const LINE: f32 = 13.0;
const SIZE: f32 = 8.0;

/// Column widths: the first (labels) twice as wide as the others.
fn column_x(columns: usize) -> Vec<f32> {
    let width = A4.0 - 2.0 * MARGIN;
    let unit = width / (columns as f32 + 1.0);
    (0..columns)
        .map(|i| MARGIN + if i == 0 { 0.0 } else { unit * (i as f32 + 1.0) })
        .collect()
}

pub fn report_pdf(report: &TableReport) -> Vec<u8> {
    let mut pages = Vec::new();
    let mut page = Page::new();
    let top = A4.1 - MARGIN;
    let mut y = top;
    page.text(MARGIN, y, 16.0, true, &report.title);
    y -= 22.0;
    for line in wrap(&report.note, 110) {
        page.text(MARGIN, y, 9.0, false, &line);
        y -= 12.0;
    }
    y -= 10.0;
    for (number, section) in report.sections.iter().enumerate() {
        // A section starts on a new page when its title and three rows would not fit.
        if y < MARGIN + 5.0 * LINE {
            pages.push(std::mem::replace(&mut page, Page::new()));
            y = top;
        }
        page.text(
            MARGIN,
            y,
            11.0,
            true,
            &format!("{}. {}", number + 1, section.title),
        );
        y -= 16.0;
        let xs = column_x(section.headings.len().max(1));
        let chars = |i: usize| if i == 0 { 34 } else { 14 };
        let header = |page: &mut Page, y: f32| {
            for (i, heading) in section.headings.iter().enumerate() {
                page.text(xs[i], y, SIZE, true, &fit(heading, chars(i)));
            }
        };
        header(&mut page, y);
        y -= 4.0;
        page.rule(y);
        y -= LINE;
        if section.rows.is_empty() {
            page.text(MARGIN, y, SIZE, false, "Aucune donnée.");
            y -= LINE;
        }
        for (r, row) in section.rows.iter().enumerate() {
            if y < MARGIN {
                pages.push(std::mem::replace(&mut page, Page::new()));
                y = top;
                header(&mut page, y);
                y -= LINE + 4.0;
            }
            let bold = section.total_rows.contains(&r);
            if row.len() == 1 {
                page.text(MARGIN, y, SIZE, true, &fit(&row[0], 100));
            } else {
                for (i, cell) in row.iter().enumerate() {
                    page.text(xs[i], y, SIZE, bold, &fit(cell, chars(i)));
                }
            }
            y -= LINE;
        }
        y -= 14.0;
    }
    pages.push(page);
    write_pdf(pages)
}
