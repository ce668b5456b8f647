//! Docket's LLM reader.
//!
//! Reads a business document from its text with a large language model spoken
//! to over the OpenAI-compatible chat-completions protocol
//! (`POST {base}/chat/completions`), and turns the model's answer into a
//! [`docket_domain::BusinessDocument`] whose values are *grounded*: a value the
//! document text does not contain, or contains only in text that gives the
//! model orders (prompt injection), stays empty with a note saying what the
//! model claimed; an IBAN or VAT id that fails its check digits keeps a
//! confidence far below any booking threshold, so a person looks (design
//! invariant 4).
//!
//! - [`settings`]: [`LlmSettings`], typed and with the API key redacted;
//!   OpenAI-compatible servers and Azure OpenAI;
//! - [`client`]: [`LlmClient`], one pooled HTTP client, bounded concurrency,
//!   retries with backoff for transient failures ([`retry`]), tokens spent;
//! - [`prompt`]: the system prompt, the fenced user message, the prompt version;
//! - [`protocol`]: the chat-completions wire types shared with the simulator;
//! - [`schema`]: the answer's JSON Schema, generated from [`LlmReading`] and
//!   sent as `response_format`; [`validate`] checks answers against it;
//! - [`reading`]: [`LlmReading`], the model's answer, and its conversion to a
//!   document; [`grounding`] checks values against the text;
//! - [`merge`]: the LLM's reading as a second opinion on the layout extractor's;
//! - [`sim`]: an in-repo server speaking the same protocol, whose "model" is
//!   Docket's own deterministic layout reader, with latency and injected faults
//!   (binary `docket-llm-sim`).

pub mod client;
pub mod convert;
pub mod error;
pub mod grounding;
pub mod merge;
pub mod prompt;
pub mod protocol;
pub mod reading;
pub mod retry;
pub mod schema;
pub mod settings;
pub mod sim;
pub mod validate;

pub use client::{Answer, Exchange, LlmClient, Spent};
pub use error::LlmError;
pub use reading::{LlmLine, LlmParty, LlmReading, Quotes};
pub use settings::{AnswerFormat, LlmApi, LlmMode, LlmSettings};
