using Ncp.Api.Infrastructure.Http;
using Ncp.Contracts.Mail;
using Ncp.Conventions;

namespace Ncp.Api.Cases;

/// <summary>
/// Our handling codes in the Traffic Light Protocol (FIRST TLP 2.0) partners read: open information may go to the
/// partner's community (GREEN); kept to one channel, it stays with those who need it (AMBER); kept from every third
/// party, it stays inside the receiving organisation (AMBER+STRICT). The labels and the reading of partners' markings
/// are the gateway's too: <see cref="MailMarkings"/>.
/// </summary>
public static class HandlingMarkings
{
    public static MailHandling MailOf(HandlingCode code)
    {
        var name = ApiEnum<HandlingCode>.NameOf(code);
        return new(name, MailMarkings.TlpOf(name));
    }
}
