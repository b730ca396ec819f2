//! The errors of Metapath: [`PathError`] when an expression cannot be parsed (with the byte
//! offset in the expression), [`EvalError`] when an evaluation cannot finish.

/// An expression that cannot be parsed: what is wrong and where (byte offset into the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct PathError {
    /// Byte offset into the expression where the problem starts.
    pub offset: usize,
    /// What is wrong.
    pub kind: PathErrorKind,
}

impl PathError {
    pub(crate) fn new(offset: usize, kind: PathErrorKind) -> Self {
        PathError { offset, kind }
    }

    /// The message without the offset, lower case, for a diagnostic that places it itself.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// The longest piece of an expression a message quotes, in characters.
const QUOTE_MAX: usize = 64;

/// `text` as a message quotes it: at most [`QUOTE_MAX`] characters, then `…`.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or(text)),
        None => text.to_string(),
    }
}

/// What is wrong with an expression. Pieces of the expression it quotes are clipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathErrorKind {
    /// The expression is longer than the limit (bytes).
    #[error("expression of {len} bytes is longer than the limit of {max}")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Parentheses, brackets or calls nest deeper than the limit.
    #[error("expression nests deeper than the limit of {max}")]
    TooDeep {
        /// The limit.
        max: usize,
    },
    /// A `for`, `let`, `some` or `every` that binds more variables than the limit.
    #[error("expression binds more than {max} variables in one clause")]
    TooManyBindings {
        /// The limit.
        max: usize,
    },
    /// A function outside the supported subset.
    #[error("function `{0}` is not supported")]
    UnsupportedFunction(String),
    /// An operator or construct outside the supported subset (`div`, `+`, `for`).
    #[error("`{0}` is not supported")]
    Unsupported(String),
    /// A supported function called with the wrong number of arguments.
    #[error("function `{name}` takes {expected} arguments, not {found}")]
    Arity {
        /// The function.
        name: String,
        /// The accepted counts, as text (`1`, `2 or 3`, `at least 2`).
        expected: String,
        /// The count given.
        found: usize,
    },
    /// A token where another was expected.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the grammar needs here.
        expected: &'static str,
        /// What is there (`end of expression` at the end).
        found: String,
    },
    /// An opening `(` or `[` without its closing one.
    #[error("`{0}` is not closed")]
    Unclosed(char),
    /// A string literal without its closing quote.
    #[error("string literal is not closed")]
    UnclosedString,
    /// A comment `(: … :)` without its end.
    #[error("comment is not closed")]
    UnclosedComment,
    /// A character that starts no token.
    #[error("unexpected character `{0}`")]
    BadChar(char),
    /// A number literal that does not parse.
    #[error("number `{0}` is malformed")]
    BadNumber(String),
    /// An unknown axis name before `::`.
    #[error("axis `{0}` is not supported")]
    UnknownAxis(String),
    /// A namespace prefix in a name test (`oscal:catalog`): OSCAL names have none.
    #[error("name `{0}` has a namespace prefix, which Metapath over OSCAL does not use")]
    Prefixed(String),
    /// A literal regular expression (or its flags) of `matches` that does not compile.
    #[error("regular expression does not compile: {0}")]
    Regex(String),
}

/// An evaluation that cannot finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The step budget (node visits plus items produced) ran out.
    #[error("evaluation exceeds its budget of {limit} steps")]
    Budget {
        /// The budget.
        limit: u64,
    },
    /// The budget of all evaluations with one environment ran out.
    #[error("evaluations exceed their total budget of {limit} steps")]
    TotalBudget {
        /// The budget.
        limit: u64,
    },
    /// A variable the environment does not bind.
    #[error("variable `${0}` is not bound")]
    Unbound(String),
    /// A path step, union or node function met an atomic value where it needs a node.
    #[error("{0} needs nodes, found an atomic value")]
    NotANode(&'static str),
    /// A path whose last step gives both nodes and atomic values.
    #[error("path gives both nodes and atomic values")]
    MixedPath,
    /// A sequence of several atomic values where one boolean is needed.
    #[error("sequence of {0} atomic values has no boolean value")]
    NoBoolean(usize),
    /// A sequence of several items where at most one is allowed (a value comparison, a string
    /// function's argument).
    #[error("{what} needs at most one item, found {found}")]
    NotSingle {
        /// The operation.
        what: &'static str,
        /// How many items it got.
        found: usize,
    },
    /// A value that must be a number (`sum`) and is not.
    #[error("value `{0}` is not a number")]
    NotANumber(String),
    /// A bound of a range (`to`) that is not a whole number.
    #[error("value `{0}` is not an integer")]
    NotAnInteger(String),
    /// `idiv` by zero.
    #[error("integer division by zero")]
    DivisionByZero,
    /// A regular expression computed at evaluation time that does not compile.
    #[error("regular expression does not compile: {0}")]
    Regex(String),
}
