using Ncp.Api.Cases.Listing;

namespace Ncp.Api.Ui.Composing;

/// <summary>
/// What the officer is told before a request goes out: <see cref="Kind"/> names it (<c>no-usable-key</c>,
/// <c>useful-until-past</c>, <c>case-number-open</c>, <c>identifier-open</c>); sending anyway after some needs a reason, kept as a note on the item.
/// </summary>
public sealed record SendWarning(string Kind, string Text, bool NeedsReason = false, IReadOnlyList<ItemRow>? Items = null);
