//! oscalc: the OSCAL profile compiler.
#![forbid(unsafe_code)]

pub mod xml;
