pub mod markup;
