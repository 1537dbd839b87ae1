using System.Linq.Expressions;
using Marten;
using Marten.Linq;

namespace Ncp.Api.Cases;

/// <summary>Compiled once by Marten: every command and every read finds its item by register number.</summary>
public sealed class ItemByNumber : ICompiledQuery<ItemDetails, ItemDetails?>
{
    public string Number { get; set; } = "";

    public Expression<Func<IMartenQueryable<ItemDetails>, ItemDetails?>> QueryIs() =>
        q => q.SingleOrDefault(x => x.RegisterNumber == Number);
}
