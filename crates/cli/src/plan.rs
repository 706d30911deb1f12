//! `spsti plan solve`: the planner's pure core with the JSON contract of DATA-FORMATS.md.

use std::io::{Read, Write};

use domain::planner::{Problem, solve as solve_problem};

use crate::{Failure, invalid};

pub(crate) fn solve() -> Result<(), Failure> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let problem: Problem = serde_json::from_str(&input)
        .map_err(|e| invalid(format!("champ manquant ou invalide : {e}")))?;
    let plan = solve_problem(&problem).map_err(|e| invalid(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer(&mut stdout, &plan)?;
    writeln!(stdout)?;
    Ok(())
}
