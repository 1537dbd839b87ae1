using System.Security.Claims;
using Ncp.Api.Cases;
using Ncp.Api.Infrastructure.Http;

namespace Ncp.Api.Infrastructure.Auth;

/// <summary>Channels only cleared officers may see; clearance is the app role <c>Ncp.Channel.&lt;Channel&gt;</c>, e.g. Ncp.Channel.Csto.</summary>
public sealed class CompartmentSettings
{
    public const string Section = "Compartments";

    public Channel[] Restricted { get; set; } = [Channel.Csto];
}

public sealed class Compartments(CompartmentSettings settings)
{
    public static string ClearanceRole(Channel channel) => $"Ncp.Channel.{channel}";

    public Channel[] ChannelsOf(ClaimsPrincipal user) =>
        Enum.GetValues<Channel>().Where(c => !settings.Restricted.Contains(c) || user.IsInRole(ClearanceRole(c))).ToArray();

    public bool MaySee(ClaimsPrincipal user, Channel channel) => !IsRestricted(channel) || user.IsInRole(ClearanceRole(channel));

    /// <summary>Whether only cleared people may see the channel's items; told to the Worker, which tells only cleared people.</summary>
    public bool IsRestricted(Channel channel) => settings.Restricted.Contains(channel);

    /// <summary>Names the channel in the API's spelling, for messages.</summary>
    public static string Name(Channel channel) => ApiEnum<Channel>.NameOf(channel);
}
