//! Printable documents as PDF (pdf-writer): A4 pages of text in the standard Helvetica fonts
//! (WinAnsi encoding, so French accents and the euro sign print without embedding a font).

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

mod report;
pub use report::{TableReport, TableSection, report_pdf};

const A4: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;

/// One invoice, with every text already formatted in French.
#[derive(Debug, Clone)]
pub struct InvoiceDocument {
    pub service_name: String,
    pub reference: String,
    pub issued_on: String,
    pub due_on: String,
    pub recipient: Vec<String>,
    /// Label, quantity, unit price, amount.
    pub lines: Vec<(String, String, String, String)>,
    pub total: String,
    pub paid: String,
    pub balance: String,
    pub payment_note: String,
}

/// Unicode text to the WinAnsi (Windows-1252) bytes of the standard fonts; characters
/// outside it become `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '–' => 0x96,
            '—' => 0x97,
            'œ' => 0x9C,
            'Œ' => 0x8C,
            'Ÿ' => 0x9F,
            '\u{202f}' | '\u{a0}' => 0x20,
            c if (c as u32) < 0x100 => c as u8,
            _ => b'?',
        })
        .collect()
}

/// A page of positioned text, written as a one-page PDF.
struct Page {
    content: Content,
}

impl Page {
    fn new() -> Page {
        Page {
            content: Content::new(),
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = win_ansi(text);
        self.content.begin_text();
        self.content
            .set_font(Name(if bold { b"F2" } else { b"F1" }), size);
        self.content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
        self.content.show(Str(&bytes));
        self.content.end_text();
    }

    /// Text ending at `right` (approximate width of Helvetica: 0.5 em a character).
    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let width = text.chars().count() as f32 * size * 0.5;
        self.text(right - width, y, size, bold, text);
    }

    fn rule(&mut self, y: f32) {
        self.content.move_to(MARGIN, y);
        self.content.line_to(A4.0 - MARGIN, y);
        self.content.stroke();
    }

    fn into_pdf(self) -> Vec<u8> {
        write_pdf(vec![self])
    }
}

/// Pages as one PDF (the two Helvetica fonts shared by every page).
fn write_pdf(pages: Vec<Page>) -> Vec<u8> {
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let page_ref = |i: usize| Ref::new(5 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(6 + 2 * i as i32);
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..pages.len()).map(page_ref))
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    for (i, page) in pages.into_iter().enumerate() {
        let mut p = pdf.page(page_ref(i));
        p.media_box(Rect::new(0.0, 0.0, A4.0, A4.1));
        p.parent(tree);
        p.contents(content_ref(i));
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        fonts.pair(Name(b"F1"), regular);
        fonts.pair(Name(b"F2"), bold);
        fonts.finish();
        resources.finish();
        p.finish();
        let data = page.content.finish();
        pdf.stream(content_ref(i), &data);
    }
    pdf.finish()
}

/// A letter to print for a window envelope.
#[derive(Debug, Clone)]
pub struct Letter {
    pub service_name: String,
    pub date: String,
    /// Address lines of the recipient.
    pub recipient: Vec<String>,
    pub subject: String,
    pub body: String,
}

/// Splits a paragraph into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

/// A certificate or fitness opinion issued at a visit, every text formatted in French. It
/// holds no medical content: the employer receives it.
#[derive(Debug, Clone)]
pub struct CertificateDocument {
    pub service_name: String,
    pub title: String,
    pub worker: String,
    pub birth_date: String,
    pub employer: String,
    pub job_title: String,
    pub visit: String,
    pub visit_date: String,
    /// "Dr Marie Curie, médecin du travail" or "Paul Durand, infirmier en santé au travail".
    pub professional: String,
    pub next_visit: Option<String>,
    pub recommendations: String,
    /// The contest notice of fitness opinions (L4624-7), empty for an attestation.
    pub contest_notice: String,
    pub verification_code: String,
    pub issued_on: String,
}

/// The certificate as a one-page PDF.
pub fn certificate_pdf(doc: &CertificateDocument) -> Vec<u8> {
    let mut page = Page::new();
    let mut y = A4.1 - MARGIN - 10.0;
    page.text(MARGIN, y, 13.0, true, &doc.service_name);
    y -= 50.0;
    page.text(MARGIN, y, 16.0, true, &doc.title);
    y -= 36.0;
    for (label, value) in [
        (
            "Salarié",
            format!("{} (né(e) le {})", doc.worker, doc.birth_date),
        ),
        ("Employeur", doc.employer.clone()),
        ("Poste", doc.job_title.clone()),
        ("Visite", format!("{} du {}", doc.visit, doc.visit_date)),
        ("Par", doc.professional.clone()),
    ] {
        page.text(MARGIN, y, 10.0, true, label);
        page.text(MARGIN + 90.0, y, 10.0, false, &fit(&value, 80));
        y -= 16.0;
    }
    if let Some(next) = &doc.next_visit {
        page.text(MARGIN, y, 10.0, true, "Prochaine visite");
        page.text(MARGIN + 90.0, y, 10.0, false, next);
        y -= 16.0;
    }
    y -= 14.0;
    if !doc.recommendations.trim().is_empty() {
        page.text(MARGIN, y, 11.0, true, "Conclusions, mesures et indications");
        y -= 18.0;
        for line in wrap(&doc.recommendations, 95) {
            page.text(MARGIN, y, 10.0, false, &line);
            y -= 14.0;
        }
        y -= 10.0;
    }
    if !doc.contest_notice.is_empty() {
        for line in wrap(&doc.contest_notice, 105) {
            page.text(MARGIN, y, 8.5, false, &line);
            y -= 12.0;
        }
    }
    page.text(
        MARGIN,
        MARGIN + 30.0,
        10.0,
        false,
        &format!("Établi le {}", doc.issued_on),
    );
    page.text(
        MARGIN,
        MARGIN + 14.0,
        9.0,
        false,
        &format!("Code de vérification : {}", doc.verification_code),
    );
    page.into_pdf()
}

/// Letters as one PDF to print, one or more pages each.
pub fn letters_pdf(letters: &[Letter]) -> Vec<u8> {
    let mut pages = Vec::new();
    for letter in letters {
        let mut page = Page::new();
        let mut y = A4.1 - MARGIN - 10.0;
        page.text(MARGIN, y, 13.0, true, &letter.service_name);
        y -= 80.0;
        for line in &letter.recipient {
            page.text(320.0, y, 11.0, false, line);
            y -= 14.0;
        }
        y -= 30.0;
        page.text(320.0, y, 10.0, false, &format!("Le {}", letter.date));
        y -= 40.0;
        page.text(MARGIN, y, 11.0, true, &fit(&letter.subject, 85));
        y -= 26.0;
        for line in wrap(&letter.body, 95) {
            if y < MARGIN + 20.0 {
                pages.push(std::mem::replace(&mut page, Page::new()));
                y = A4.1 - MARGIN - 10.0;
            }
            page.text(MARGIN, y, 10.0, false, &line);
            y -= 14.0;
        }
        pages.push(page);
    }
    write_pdf(pages)
}

/// Shortens a label to what fits in the label column.
fn fit(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max_chars - 1).collect::<String>())
    }
}

pub fn invoice_pdf(doc: &InvoiceDocument) -> Vec<u8> {
    let mut page = Page::new();
    let right = A4.0 - MARGIN;
    let mut y = A4.1 - MARGIN - 10.0;
    page.text(MARGIN, y, 14.0, true, &doc.service_name);
    page.text_right(
        right,
        y,
        14.0,
        true,
        &format!("Facture n° {}", doc.reference),
    );
    y -= 18.0;
    page.text_right(
        right,
        y,
        10.0,
        false,
        &format!("Émise le {}", doc.issued_on),
    );
    y -= 14.0;
    page.text_right(
        right,
        y,
        10.0,
        false,
        &format!("À régler avant le {}", doc.due_on),
    );
    y -= 40.0;
    for line in &doc.recipient {
        page.text(330.0, y, 11.0, false, line);
        y -= 14.0;
    }
    y -= 30.0;
    page.text(MARGIN, y, 10.0, true, "Désignation");
    page.text_right(360.0, y, 10.0, true, "Quantité");
    page.text_right(450.0, y, 10.0, true, "Prix unitaire");
    page.text_right(right, y, 10.0, true, "Montant");
    y -= 6.0;
    page.rule(y);
    y -= 16.0;
    for (label, quantity, unit, amount) in &doc.lines {
        page.text(MARGIN, y, 10.0, false, &fit(label, 48));
        page.text_right(360.0, y, 10.0, false, quantity);
        page.text_right(450.0, y, 10.0, false, unit);
        page.text_right(right, y, 10.0, false, amount);
        y -= 16.0;
    }
    page.rule(y + 8.0);
    y -= 10.0;
    for (label, value, bold) in [
        ("Total", &doc.total, true),
        ("Déjà réglé", &doc.paid, false),
        ("Reste à payer", &doc.balance, true),
    ] {
        page.text_right(450.0, y, 11.0, bold, label);
        page.text_right(right, y, 11.0, bold, value);
        y -= 16.0;
    }
    y -= 30.0;
    page.text(MARGIN, y, 9.0, false, &doc.payment_note);
    page.text(MARGIN, MARGIN, 8.0, false, "Cotisation due par tout employeur adhérent au service de prévention et de santé au travail (article L4622-6 du Code du travail).");
    page.into_pdf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_certificate_prints_its_title_people_and_code() {
        let doc = CertificateDocument {
            service_name: "SPSTI Est".into(),
            title: "Avis d'aptitude avec mesures d'aménagement".into(),
            worker: "Léa Durand".into(),
            birth_date: "04/05/1990".into(),
            employer: "Boulangerie Émile (SIRET 73282932000074)".into(),
            job_title: "Vendeuse".into(),
            visit: "examen médical d'aptitude périodique".into(),
            visit_date: "04/01/2027".into(),
            professional: "Dr Marie Curie, médecin du travail".into(),
            next_visit: Some("dans 24 mois".into()),
            recommendations: "Pas de port de charges de plus de 10 kg.".into(),
            contest_notice: "Contestation devant le conseil de prud'hommes sous 15 jours.".into(),
            verification_code: "K7Q2-9XWM".into(),
            issued_on: "04/01/2027".into(),
        };
        let pdf = certificate_pdf(&doc);
        let text = String::from_utf8_lossy(&pdf).to_lowercase();
        let shown = |t: &str| {
            let bytes = win_ansi(t);
            if bytes.is_ascii() {
                text.contains(&format!("({})", t.to_lowercase()))
            } else {
                text.contains(&format!(
                    "<{}>",
                    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
                ))
            }
        };
        assert!(shown("Avis d'aptitude avec mesures d'aménagement"));
        assert!(shown("Code de vérification : K7Q2-9XWM"));
        assert!(shown("Dr Marie Curie, médecin du travail"));
    }

    #[test]
    fn invoice_pdf_holds_its_text_in_win_ansi() {
        let doc = InvoiceDocument {
            service_name: "SPSTI Est".into(),
            reference: "2026-000042".into(),
            issued_on: "15/01/2026".into(),
            due_on: "15/02/2026".into(),
            recipient: vec!["Boulangerie Émile".into(), "SIRET 73282932000074".into()],
            lines: vec![(
                "Cotisation 2026 — salariés déclarés".into(),
                "3".into(),
                "100,00 €".into(),
                "300,00 €".into(),
            )],
            total: "300,00 €".into(),
            paid: "0,00 €".into(),
            balance: "300,00 €".into(),
            payment_note: "Virement : indiquez la référence 2026-000042.".into(),
        };
        let pdf = invoice_pdf(&doc);
        assert!(pdf.starts_with(b"%PDF-"));
        // Texts with accents are written as hex strings of their WinAnsi bytes.
        let lowered = String::from_utf8_lossy(&pdf).to_lowercase();
        let shown = |text: &str| {
            let bytes = win_ansi(text);
            let needle = if bytes.is_ascii() {
                format!("({})", text.to_lowercase())
            } else {
                format!(
                    "<{}>",
                    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
                )
            };
            lowered.contains(&needle)
        };
        assert!(shown("Facture n° 2026-000042"));
        assert!(shown("Boulangerie Émile"));
        assert!(shown("300,00 €"));
        assert!(shown("SIRET 73282932000074"));
        assert!(!shown("absent"));
        let contains = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(contains(b"WinAnsiEncoding"));
    }
}

#[cfg(test)]
mod extraction {
    use super::*;

    /// The text a PDF reader extracts from the first page (lopdf).
    fn extracted(pdf: &[u8]) -> String {
        let document = lopdf::Document::load_mem(pdf).expect("a readable PDF");
        document.extract_text(&[1]).expect("text of page 1")
    }

    #[test]
    fn a_reader_extracts_the_certificate_text() {
        let doc = CertificateDocument {
            service_name: "SPSTI Est".into(),
            title: "Avis d'inaptitude".into(),
            worker: "Léa Durand".into(),
            birth_date: "04/05/1990".into(),
            employer: "Boulangerie Martin (SIRET 73282932000074)".into(),
            job_title: "Vendeuse".into(),
            visit: "visite de reprise".into(),
            visit_date: "04/01/2027".into(),
            professional: "Marie Curie, médecin du travail".into(),
            next_visit: None,
            recommendations: "Reclassement sur un poste sans port de charges".into(),
            contest_notice: "Contestation possible sous 15 jours.".into(),
            verification_code: "K7Q2-9XWM-4PAT".into(),
            issued_on: "04/01/2027".into(),
        };
        let text = extracted(&certificate_pdf(&doc));
        for expected in [
            "Avis d'inaptitude",
            "Léa Durand",
            "SIRET 73282932000074",
            "Marie Curie, médecin du travail",
            "Reclassement sur un poste sans port de charges",
            "K7Q2-9XWM-4PAT",
        ] {
            assert!(text.contains(expected), "« {expected} » not in: {text}");
        }
    }
}
