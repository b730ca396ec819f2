//! The expressions that bind variables, evaluated: `for`, `let`, `some`, `every`. Bindings
//! live on the evaluation's stack of locals (innermost last) while their body runs; the focus
//! stays the outer one. One clause binds at most [`super::MAX_BINDINGS`] variables, so the
//! recursion over them is shallow.

use super::Node;
use super::ast::{Ast, Binder};
use super::error::EvalError;
use super::eval::{Eval, Focus, Item, ebv};

/// What the body gave so far, and whether to stop (`some` found one, `every` missed one).
struct Acc<N> {
    items: Vec<Item<N>>,
    found: bool,
}

pub(crate) fn eval<N: Node>(
    ev: &mut Eval<'_, N>,
    kind: Binder,
    vars: &[(String, Ast)],
    body: &Ast,
    f: &Focus<'_, N>,
) -> Result<Vec<Item<N>>, EvalError> {
    let mut acc = Acc {
        items: Vec::new(),
        found: false,
    };
    let depth = ev.locals.len();
    let result = iterate(ev, kind, vars, body, f, &mut acc);
    ev.locals.truncate(depth);
    result?;
    Ok(match kind {
        Binder::For | Binder::Let => acc.items,
        Binder::Some => vec![Item::Bool(acc.found)],
        Binder::Every => vec![Item::Bool(!acc.found)],
    })
}

/// Binds the first of `vars` (to each item in turn, or to the whole sequence for `let`) and
/// goes on with the rest; at the end, evaluates the body.
fn iterate<N: Node>(
    ev: &mut Eval<'_, N>,
    kind: Binder,
    vars: &[(String, Ast)],
    body: &Ast,
    f: &Focus<'_, N>,
    acc: &mut Acc<N>,
) -> Result<(), EvalError> {
    let Some(((name, ast), rest)) = vars.split_first() else {
        return run_body(ev, kind, body, f, acc);
    };
    let value = ev.eval(ast, f)?;
    if kind == Binder::Let {
        ev.locals.push((name.clone(), value));
        let result = iterate(ev, kind, rest, body, f, acc);
        ev.locals.pop();
        return result;
    }
    for item in value {
        ev.locals.push((name.clone(), vec![item]));
        let result = iterate(ev, kind, rest, body, f, acc);
        ev.locals.pop();
        result?;
        if acc.found {
            break;
        }
    }
    Ok(())
}

fn run_body<N: Node>(
    ev: &mut Eval<'_, N>,
    kind: Binder,
    body: &Ast,
    f: &Focus<'_, N>,
    acc: &mut Acc<N>,
) -> Result<(), EvalError> {
    let value = ev.eval(body, f)?;
    match kind {
        Binder::For | Binder::Let => acc.items.extend(value),
        // `found` means: stop, the answer is known.
        Binder::Some => acc.found = ebv(&value)?,
        Binder::Every => acc.found = !ebv(&value)?,
    }
    Ok(())
}
