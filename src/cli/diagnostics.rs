//! Rendering of diagnostics, the only place that formats them for people or machines.

use super::ErrorFormat;
use crate::diag::Diagnostic;
use crate::source::SourceMap;

/// Prints diagnostics to stderr in the chosen format.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, format: ErrorFormat) {
    for d in diags {
        let place = d.primary.as_ref().map(|s| {
            let name = sources.display_name(s.source);
            match sources.line_col(s) {
                Some(lc) => format!("{name}:{}:{}", lc.line, lc.column),
                None => name,
            }
        });
        let head = match &place {
            Some(p) => format!("{p}: {}[{}]: {}", d.severity, d.code, d.message),
            None => format!("{}[{}]: {}", d.severity, d.code, d.message),
        };
        eprintln!("{head}");
        if matches!(format, ErrorFormat::Human) {
            for t in &d.trace {
                eprintln!("  = in {}", sources.display_name(t.source));
            }
            for h in &d.hints {
                eprintln!("  = help: {h}");
            }
        }
    }
}
