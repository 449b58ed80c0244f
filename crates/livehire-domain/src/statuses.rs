//! The statuses of live sessions and of offers (invitations and
//! applications), with their wire names. A task's status is
//! [`crate::state::TaskStatus`].

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Defines a status enum with its wire names, `as_str`, `parse`, `ALL` and
/// `Display`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire (and stored) name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// Where a live session is.
    SessionStatus {
        /// Planned; not yet live.
        Scheduled => "scheduled",
        /// The host is live.
        Live => "live",
        /// Over (ended by the host, the agent, the connector's stream end, or
        /// an import of figures for a session that never went live here).
        Ended => "ended",
    }
}

wire_enum! {
    /// Which kind of offer a host has on a task.
    OfferKind {
        /// The agent invited the host.
        Invitation => "invitation",
        /// The host applied.
        Application => "application",
    }
}

wire_enum! {
    /// Where an offer (invitation or application) is.
    OfferStatus {
        /// Waiting for the other side.
        Pending => "pending",
        /// Taken: the host was assigned through it.
        Accepted => "accepted",
        /// Another host was assigned (or the offer was turned down).
        Declined => "declined",
        /// The task was cancelled while the offer was pending (as its host
        /// sees it; stored offers stay `pending`).
        Withdrawn => "withdrawn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_and_match_serde() {
        for s in SessionStatus::ALL {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for s in OfferStatus::ALL {
            assert_eq!(OfferStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in OfferKind::ALL {
            assert_eq!(OfferKind::parse(k.as_str()), Some(*k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        assert_eq!(SessionStatus::parse("LIVE"), None);
        assert_eq!(OfferStatus::parse(""), None);
    }
}
