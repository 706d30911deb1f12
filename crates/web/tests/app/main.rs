//! Application tests, one binary: the route × role matrix, login journeys, tokens, CSRF and
//! bad input. Each runs on SQLite and on PostgreSQL.

mod helpers;

mod accounts;
mod agenda;
mod bad_input;
mod exchange;
mod fiches;
mod indicators;
mod login;
mod medical;
mod members;
mod pdp;
mod programmes;
mod queues;
mod route_matrix;
mod tokens;
