//! FtM (placeholder)
use crate::{FormatError, List};
pub fn read<R: std::io::BufRead>(_r: R) -> Result<List, FormatError> { todo!() }
