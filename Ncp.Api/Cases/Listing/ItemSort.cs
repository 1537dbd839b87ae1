using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Ncp.Api.Cases.Listing;

/// <summary>
/// An order of the list, as segments read one after another, each in the order of one index (see
/// <see cref="ItemListing.ConfigureColumns"/>). Items without a deadline and the ranks of priority (not the text order of
/// its names) are segments of their own, so every page, however deep, is a few index range scans and never a sort.
/// </summary>
public sealed class ItemSort
{
    public static readonly ItemSort Newest = new("newest", new Segment("true", null, IdDescending: true));

    public static readonly ItemSort Oldest = new("oldest", new Segment("true", null, IdDescending: false));

    public static readonly ItemSort Due = new(
        "due",
        new Segment("d.due_by is not null", new SortKey("d.due_by", Descending: false, d => d.DueBy is { } due ? Microseconds(due) : null, ReadTime), IdDescending: false),
        new Segment("d.due_by is null", null, IdDescending: false));

    // Priority is stored as its name; the enum is declared from least to most urgent.
    public static readonly ItemSort Priority = new(
        "priority", [.. Enum.GetValues<Priority>().Reverse().Select(p => new Segment($"d.priority = '{p}'", null, IdDescending: true))]);

    public static readonly ItemSort Partner = new(
        "partner", new Segment("true", new SortKey("d.partner_code", Descending: false, d => d.PartnerCode, text => text.Length > 0 ? text : null), IdDescending: true));

    public static readonly IReadOnlyList<ItemSort> All = [Newest, Oldest, Due, Priority, Partner];

    private ItemSort(string name, params Segment[] segments)
    {
        Name = name;
        Segments = segments;
    }

    public string Name { get; }

    internal IReadOnlyList<Segment> Segments { get; }

    public static string Names => string.Join(", ", All.Select(s => s.Name));

    public static ItemSort? Named(string? name) =>
        name is null ? Newest : All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The ranges to read after <paramref name="after"/> (from the start when null), in order.</summary>
    internal IEnumerable<Run> RunsAfter(ListPosition? after)
    {
        var first = after?.Segment ?? 0;
        for (var i = first; i < Segments.Count; i++)
        {
            var segment = Segments[i];
            if (after is null || i > first)
            {
                yield return new Run(i, segment.Where, [], segment.OrderBy);
                continue;
            }

            var beyondId = segment.IdDescending ? "d.id < ?" : "d.id > ?";
            if (segment.Key is { } key)
            {
                // Two ranges, not one OR: the rest of the rows that share the last key, then the keys beyond it.
                object value = after.Key!;
                yield return new Run(i, $"{segment.Where} and {key.Column} = ? and {beyondId}", [value, after.Id], segment.IdOrder);
                yield return new Run(i, $"{segment.Where} and {key.Column} {(key.Descending ? "<" : ">")} ?", [value], segment.OrderBy);
            }
            else
            {
                yield return new Run(i, $"{segment.Where} and {beyondId}", [after.Id], segment.OrderBy);
            }
        }
    }

    /// <summary>The opaque <c>next</c> value: this sort, the segment, the row's key and id.</summary>
    internal string Token(int segment, ItemDetails last)
    {
        var key = Segments[segment].Key?.Of(last) switch
        {
            DateTimeOffset at => at.ToString("O", CultureInfo.InvariantCulture),
            { } value => value.ToString(),
            null => "",
        };
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Name}|{segment}|{last.Id:N}|{key}"));
    }

    /// <summary>Reads a <c>next</c> value of this sort; anything else (another sort's, altered, truncated) is refused.</summary>
    internal bool TryRead(string token, out ListPosition? position)
    {
        position = null;
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            return false;
        }

        var parts = text.Split('|', 4);
        if (parts.Length != 4 || parts[0] != Name
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index) || index >= Segments.Count
            || !Guid.TryParseExact(parts[2], "N", out var id))
        {
            return false;
        }

        var key = Segments[index].Key?.Read(parts[3]);
        if ((key is null) != (Segments[index].Key is null) || (key is null && parts[3].Length > 0))
        {
            return false;
        }

        position = new ListPosition(index, id, key);
        return true;
    }

    // The column keeps microseconds (Npgsql drops the rest), the document all of a DateTimeOffset's ticks: the
    // position must be the column's value, or the row sharing it would be skipped or repeated.
    private static DateTimeOffset Microseconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % 10));

    private static object? ReadTime(string text) =>
        DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;

    /// <summary>A column the segment is ordered by before the id; <see cref="Read"/> gives null for text that is not a key.</summary>
    internal sealed record SortKey(string Column, bool Descending, Func<ItemDetails, object?> Of, Func<string, object?> Read);

    internal sealed record Segment(string Where, SortKey? Key, bool IdDescending)
    {
        public string IdOrder => IdDescending ? "d.id desc" : "d.id";

        public string OrderBy => Key is { } key ? $"{key.Column}{(key.Descending ? " desc" : "")}, {IdOrder}" : IdOrder;
    }

    internal sealed record Run(int Segment, string Where, object[] Parameters, string OrderBy);
}

/// <summary>Where a page ended: the segment of its sort, the last row's id and, where the segment has one, its key.</summary>
internal sealed record ListPosition(int Segment, Guid Id, object? Key);
