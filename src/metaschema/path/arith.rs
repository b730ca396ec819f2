//! Arithmetic, evaluated: `+ - * div idiv mod`, signs and ranges (`to`), over numbers as XPath's `xs:double`.
//! An operand is atomized; the empty sequence gives the empty sequence, several items or a
//! value that is not a number are errors (XPath's, not a silent NaN).

use super::Node;
use super::ast::{ArithOp, Ast};
use super::compare::parse_number;
use super::error::EvalError;
use super::eval::{Eval, Focus, Item};

/// `first op1 x1 op2 x2 …`, folded from the left.
pub(crate) fn fold<N: Node>(
    ev: &mut Eval<'_, N>,
    first: &Ast,
    rest: &[(ArithOp, Ast)],
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let Some(mut acc) = operand(ev, first, f)? else {
        return Ok(Vec::new());
    };
    for (op, ast) in rest {
        let Some(x) = operand(ev, ast, f)? else {
            return Ok(Vec::new());
        };
        acc = apply(acc, *op, x)?;
    }
    Ok(vec![Item::Num(acc)])
}

/// `-x` or `+x`.
pub(crate) fn unary<N: Node>(
    ev: &mut Eval<'_, N>,
    negative: bool,
    ast: &Ast,
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    Ok(operand(ev, ast, f)?
        .map(|x| Item::Num(if negative { -x } else { x }))
        .into_iter()
        .collect())
}

/// `a to b`: the integers from `a` to `b` (none when `a > b`). Their count is spent from the
/// budget before the sequence is built, so `1 to 1e15` stops at once.
pub(crate) fn range<N: Node>(
    ev: &mut Eval<'_, N>,
    from: &Ast,
    to: &Ast,
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let (Some(a), Some(b)) = (operand(ev, from, f)?, operand(ev, to, f)?) else {
        return Ok(Vec::new());
    };
    for n in [a, b] {
        if n.fract() != 0.0 || !n.is_finite() {
            return Err(EvalError::NotAnInteger(super::eval::format_number(n)));
        }
    }
    if a > b {
        return Ok(Vec::new());
    }
    // Counted, not stepped by `n += 1.0`: past 2^53 that addition stops moving.
    let count = (b - a + 1.0) as usize;
    ev.tick(count)?;
    Ok((0..count).map(|i| Item::Num(a + i as f64)).collect())
}

fn apply(a: f64, op: ArithOp, b: f64) -> Result<f64, EvalError> {
    Ok(match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div => a / b,
        ArithOp::IDiv => {
            if b == 0.0 {
                return Err(EvalError::DivisionByZero);
            }
            (a / b).trunc()
        }
        // Rust's `%` on doubles keeps the dividend's sign, as XPath's `mod` does.
        ArithOp::Mod => a % b,
    })
}

/// One operand as a number; `None` for the empty sequence.
fn operand<N: Node>(
    ev: &mut Eval<'_, N>,
    ast: &Ast,
    f: &Focus<'_, N>,
) -> Result<Option<f64>, EvalError> {
    let items = ev.eval(ast, f)?;
    match items.as_slice() {
        [] => Ok(None),
        [Item::Num(n)] => Ok(Some(*n)),
        [item] => {
            let text = item.string_value();
            match parse_number(text.trim()) {
                Some(n) => Ok(Some(n)),
                None => Err(EvalError::NotANumber(text.into_owned())),
            }
        }
        more => Err(EvalError::NotSingle {
            what: "arithmetic",
            found: more.len(),
        }),
    }
}
