using System.Globalization;
using System.Text;
using Ncp.Contracts.Mail;

namespace Ncp.Worker.Mail.Outgoing;

/// <summary>A mail to a partner as it will be sent: one subject line and a plain-text body.</summary>
public sealed record RenderedMail(string Subject, string Text);

/// <summary>
/// The words of mail to foreign partners. A request keeps the numbered sections of the Council of Europe T-CY forms
/// (articles 29/30 and 31), so an officer abroad finds each field where the form puts it, whatever our language; an item
/// with its substance (<see cref="MailContent.Request"/>) gets the form it names, each identifier with its time in the
/// zone it was given and in UTC. Every mail opens with its handling marking. Every subject starts with our register
/// number in brackets because the gateway threads the partner's reply by it.
/// </summary>
public static class PartnerMailTemplates
{
    // Lines stay short enough that quoting in the partner's reply does not make their client rewrap them.
    private const int Width = 76;
    private const string Section = "   ";

    private enum Framing
    {
        Preservation,
        Disclosure,
        StoredData,
        DataRequest,
        LegalAssistance,
        MutualAssistance,
        Spontaneous,
    }

    public static RenderedMail Render(PartnerMailRequested request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var words = PartnerMailWords.For(request.Language);
        var framing = request.Purpose == "preservation-extension" ? Framing.Preservation : FramingOf(request.Content, nameof(request));
        var letter = new Letter(request, words, framing);
        letter.WriteMarking();
        string prefix;

        // One case per kind of mail the Api asks for: a new step of a chain is a case here and a Write method of Letter.
        switch (request.Purpose)
        {
            case "request":
                prefix = letter.Title;
                letter.WriteRequest();
                break;
            case "reminder":
                prefix = words.ReminderPrefix;
                letter.WriteReminder();
                break;
            case "acknowledgement":
                prefix = words.AcknowledgementPrefix;
                letter.WriteAcknowledgement();
                break;
            case "reply":
                prefix = words.ReplyPrefix;
                letter.WriteReply(nameof(request));
                break;
            case "preservation-extension":
                prefix = PreservationExtensionWords.For(request.Language).Prefix;
                letter.WriteExtension(PreservationExtensionWords.For(request.Language), nameof(request));
                break;
            default:
                throw new ArgumentException(
                    $"Unknown purpose '{request.Purpose}' of a partner mail; expected request, reminder, acknowledgement or reply.",
                    nameof(request));
        }

        return new RenderedMail(SubjectOf(request, words, prefix), letter.ToString());
    }

    private static string SubjectOf(PartnerMailRequested request, PartnerMailWords words, string prefix)
    {
        var subject = new StringBuilder().Append('[').Append(OneLine(request.RegisterNumber)).Append("] ").Append(prefix);
        if (OneLine(request.Content.Subject) is { } title)
        {
            subject.Append(": ").Append(title);
        }

        if (OneLine(request.Content.PartnerReference) is { } reference)
        {
            subject.Append(' ').Append(Format(words.YourRef, reference));
        }

        return subject.ToString();
    }

    private static Framing FramingOf(MailContent content, string parameter)
    {
        var byKind = content.Kind switch
        {
            "initiative-message" => Framing.Spontaneous,
            "legal-assistance-task" => Framing.LegalAssistance,
            "request" => Preserving(content) ? Framing.Preservation : Framing.DataRequest,
            _ => throw new ArgumentException(
                $"Unknown kind '{content.Kind}' of a partner mail; expected request, initiative-message or legal-assistance-task.",
                parameter),
        };

        // "general", or a form newer than this gateway: the kind's own template, which a partner can act on all the same.
        return content.Request?.Form switch
        {
            "preservation" => Framing.Preservation,
            "disclosure" => Framing.Disclosure,
            "stored-data" => Framing.StoredData,
            "spontaneous-information" => Framing.Spontaneous,
            "legal-assistance" => Framing.MutualAssistance,
            _ => byKind,
        };
    }

    // The Api may mark preservation either way: as the flag or as one of the data codes, the way officers tick it.
    private static bool Preserving(MailContent content) =>
        content.Preservation || (content.RequestedData ?? []).Contains("preservation", StringComparer.Ordinal);

    private static string Format(string template, params object[] values) =>
        string.Format(CultureInfo.InvariantCulture, template, values);

    private static string? Clean(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.TrimEnd());
        return string.Join('\n', lines).Trim('\n');
    }

    // Subjects are one header line; a pasted line break would otherwise end up folded or refused by the server.
    private static string? OneLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static string? Lookup(IReadOnlyDictionary<string, string> names, string? code)
    {
        // A code we have no words for yet is still better shown raw than dropped from a mail to a partner.
        var key = Clean(code);
        return key is null ? null : names.GetValueOrDefault(key, key);
    }

    private static TimeZoneInfo? ZoneOf(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id.Trim());
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            // A mistyped zone in the desk's settings must not hold back a mail to a partner; the UTC time alone is exact.
            return null;
        }
    }

    private static string Offset(TimeSpan offset) =>
        "UTC" + (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private sealed class Letter(PartnerMailRequested request, PartnerMailWords words, Framing framing)
    {
        private readonly StringBuilder text = new();
        private readonly TimeZoneInfo? zone = ZoneOf(request.Content.Contact.TimeZone);

        private MailContent Content => request.Content;

        private bool Spontaneous => framing == Framing.Spontaneous;

        private MailRequest Form => Content.Request ?? new MailRequest("general", [], null, null, null, null);

        // One line each, in the mail's words; a message of an Api older than the request's substance has only the legacy text.
        private string? IdentifierLines =>
            Form.Identifiers.Length > 0 ? string.Join('\n', Form.Identifiers.Select(Named)) : Content.Identifiers;

        private bool Assisting => framing is Framing.LegalAssistance or Framing.MutualAssistance;

        public string Title => framing switch
        {
            Framing.Preservation => words.PreservationTitle,
            Framing.Disclosure => words.DisclosureTitle,
            Framing.StoredData => words.StoredDataTitle,
            Framing.DataRequest => words.DataRequestTitle,
            Framing.LegalAssistance => words.LegalAssistanceTitle,
            Framing.MutualAssistance => words.MutualAssistanceTitle,
            _ => words.SpontaneousTitle,
        };

        private string Lead => framing switch
        {
            Framing.Preservation => words.PreservationLead,
            Framing.Disclosure => words.DisclosureLead,
            Framing.StoredData => words.StoredDataLead,
            Framing.DataRequest => words.DataRequestLead,
            Framing.LegalAssistance => words.LegalAssistanceLead,
            Framing.MutualAssistance => words.MutualAssistanceLead,
            _ => words.SpontaneousLead,
        };

        private string DefaultLegalBasis => framing switch
        {
            Framing.Spontaneous => words.SpontaneousBasis,
            Framing.Disclosure => words.DisclosureBasis,
            Framing.StoredData => words.StoredDataBasis,
            Framing.MutualAssistance => words.MutualAssistanceBasis,
            _ => Preserving(Content) || framing == Framing.Preservation ? words.PreservationBasis : words.RequestBasis,
        };

        public override string ToString() => text.ToString();

        // The first thing a partner's officer reads, in the mail's language; the TLP label itself is international.
        public void WriteMarking()
        {
            var marking = HandlingMarking.Of(Content.Handling);
            Paragraph($"{marking.Tlp} \u2014 {Lookup(words.HandlingMarks, marking.Code)}");
        }

        public void WriteRequest()
        {
            if (Content.Request is not null)
            {
                WriteForm(Lead);
                return;
            }

            Paragraph(words.Salutation);
            Paragraph(Lead);

            Heading(1, Spontaneous ? words.SendingAuthorityHeading : words.RequestingAuthorityHeading);
            Field(words.AuthorityLabel, words.Authority);
            References(Section);

            Heading(2, words.UrgencyHeading);
            Field(words.PriorityLabel, Lookup(words.Priorities, Content.Priority));
            Field(words.ReplyByLabel, Moment(Content.ReplyBy));

            Heading(3, words.LegalBasisHeading);
            Block(Clean(Content.LegalBasis) ?? DefaultLegalBasis, Section);

            Heading(4, words.OffenceHeading);
            Field(words.CategoryLabel, Lookup(words.CrimeCategories, Content.CrimeCategory));
            Field(words.CaseNumberLabel, Content.CriminalCaseNumber);

            Heading(5, Spontaneous ? words.DataConcernedHeading : words.DataRequestedHeading);
            if (!Spontaneous)
            {
                Field(words.DataTypesLabel, DataTypes());
            }

            Field(words.IdentifiersLabel, Content.Identifiers);
            Field(words.PeriodLabel, Period());
            if (!Spontaneous)
            {
                Block(Preserving(Content) ? words.PreserveNote : words.DisclosureNote, Section);
            }

            Heading(6, words.FactsHeading);
            Block(Clean(Content.Text) ?? words.NotSpecified, Section);

            Heading(7, words.ContactHeading);
            Contact();
            Ending();
        }

        /// <summary>The form the item names, in the order of the T-CY templates; each section numbered as it comes.</summary>
        public void WriteForm(string lead)
        {
            var form = Form;
            var legal = form.LegalAssistance;
            var number = 0;
            void Next(string heading) => Heading(++number, heading);

            Paragraph(words.Salutation);
            Paragraph(lead);

            Next(Spontaneous ? words.SendingAuthorityHeading : words.RequestingAuthorityHeading);
            Field(words.AuthorityLabel, Clean(legal?.RequestingAuthority) ?? words.Authority);
            References(Section);
            Field(words.CaseNumberLabel, Content.CriminalCaseNumber);

            if (!Spontaneous)
            {
                Next(words.RequestedAuthorityHeading);
                Block(Clean(legal?.RequestedAuthority) ?? Format(words.ContactPoint, request.PartnerCode), Section);
            }

            Next(words.UrgencyHeading);
            Field(words.PriorityLabel, Lookup(words.Priorities, Content.Priority));
            Field(words.ReplyByLabel, Moment(Content.ReplyBy));
            Field(words.UrgencyReasonLabel, form.UrgencyReason);

            Next(words.LegalBasisHeading);
            Block(Clean(Content.LegalBasis) ?? DefaultLegalBasis, Section);

            Next(words.OffenceHeading);
            Field(words.OffenceLabel, form.Offence);
            Field(words.CategoryLabel, Lookup(words.CrimeCategories, Content.CrimeCategory));
            if (Assisting)
            {
                Field(words.PenaltyLabel, legal?.Penalty);
            }

            Next(words.FactsHeading);
            Facts(form);

            Next(framing switch
            {
                Framing.Preservation => words.PreservedDataHeading,
                Framing.Disclosure => words.DisclosedDataHeading,
                Framing.Spontaneous => words.DataConcernedHeading,
                _ => words.DataRequestedHeading,
            });
            Identifiers(form, number);

            switch (framing)
            {
                case Framing.Preservation:
                    Next(words.ActionHeading);
                    Block(words.PreserveNote, Section);
                    Block(words.FollowUpNote, Section);
                    break;
                case Framing.Disclosure:
                    Next(words.ActionHeading);
                    Block(words.TrafficPathNote, Section);
                    break;
                case Framing.StoredData or Framing.DataRequest:
                    Next(words.ActionHeading);
                    Block(words.DisclosureNote, Section);
                    break;
                case Framing.LegalAssistance or Framing.MutualAssistance:
                    Next(words.AssistanceHeading);
                    Block(Clean(legal?.AssistanceSought) ?? words.NotSpecified, Section);
                    Next(words.ConfidentialityHeading);
                    Block(Clean(legal?.Confidentiality) ?? words.DefaultConfidentiality, Section);
                    break;
            }

            if (OutgoingAttachments.SafeNames(request.Attachments) is { Count: > 0 } names)
            {
                Next(words.EnclosuresHeading);
                foreach (var (name, attachment) in names.Zip(request.Attachments!))
                {
                    var size = Format(words.EnclosureSize, (attachment.Content?.Length ?? 0).ToString("N0", CultureInfo.InvariantCulture));
                    Wrap($"- {name} ({size})", Section, Section + "  ");
                }
            }

            Next(words.ContactHeading);
            Contact();
            Ending();
        }

        public void WriteReminder()
        {
            Opening();
            var ours = OneLine(Content.PartnerReference) is { } reference
                ? $"{request.RegisterNumber} {Format(words.YourRef, reference)}"
                : request.RegisterNumber;
            Paragraph(Format(words.ReminderLead, ours, OneLine(Content.Subject) ?? words.NotSpecified));

            Field(words.PendingLabel, DataTypes() is { } types ? $"{Title} – {types}" : Title, "");
            Optional(words.IdentifiersLabel, IdentifierLines);
            Optional(words.PeriodLabel, Period());
            Field(words.ReplyByLabel, Moment(Content.ReplyBy), "");
            Blank();

            if (!Spontaneous)
            {
                Paragraph(words.ReminderWhy);
            }

            Note();
            Paragraph(words.ReminderConfirm);
            ContactBlock();
            Ending();
        }

        public void WriteAcknowledgement()
        {
            Opening();
            Paragraph(Format(words.AcknowledgementLead, OneLine(Content.Subject) ?? words.NotSpecified, request.RegisterNumber));
            if (Content.ReplyBy is not null)
            {
                Field(words.YourDeadlineLabel, Moment(Content.ReplyBy), "");
                Blank();
            }

            Note();
            Paragraph(words.AcknowledgementClosing);
            ContactBlock();
            Ending();
        }

        public void WriteReply(string parameter)
        {
            // An answer with nothing in it must never reach a partner as if it were one; the Api is to blame, not the mail.
            var answer = Clean(Content.Text)
                ?? throw new ArgumentException($"The reply of {request.RegisterNumber} has no text to send.", parameter);
            Opening();
            Paragraph(Format(words.ReplyLead, OneLine(Content.Subject) ?? words.NotSpecified));
            Block(answer, "");
            Blank();
            ContactBlock();
            Ending();
        }

        public void WriteExtension(PreservationExtensionWords extension, string parameter)
        {
            // The dates are the substance of the letter: without them the partner cannot extend anything.
            var asked = Content.Extension
                ?? throw new ArgumentException($"The extension of {request.RegisterNumber} names no term.", parameter);
            Opening();
            Paragraph(Format(extension.Lead, request.RegisterNumber, OneLine(Content.Subject) ?? words.NotSpecified));
            Optional(words.IdentifiersLabel, IdentifierLines);
            Field(extension.UntilLabel, Moment(asked.PreservedUntil), "");
            Field(extension.FurtherLabel, Format(extension.Days, asked.Days), "");
            Blank();
            Paragraph(extension.Confirm);
            ContactBlock();
            Ending();
        }

        // Letters other than the request carry their references as a letterhead, since they have no section 1.
        private void Opening()
        {
            References("");
            Blank();
            Paragraph(words.Salutation);
        }

        private void References(string indent)
        {
            Field(words.OurReferenceLabel, request.RegisterNumber, indent);
            Field(words.YourReferenceLabel, Content.PartnerReference, indent);
            Field(words.DateLabel, request.RequestedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), indent);
        }

        private void Note()
        {
            if (Clean(Content.Text) is { } note)
            {
                Block(note, "");
                Blank();
            }
        }

        private void ContactBlock()
        {
            Line(words.ContactHeading + ":");
            Contact();
        }

        private void Contact()
        {
            var contact = Content.Contact;
            Field(words.NameLabel, contact.Name);
            Field(words.EmailLabel, contact.Email);
            Field(words.PhoneLabel, contact.Phone);
            Field(
                words.TimeZoneLabel,
                zone is null ? Clean(contact.TimeZone) : $"{contact.TimeZone.Trim()} ({Offset(zone.GetUtcOffset(request.RequestedAt))})");
        }

        private void Ending()
        {
            Blank();
            Line(words.Closing);
            if (OneLine(Content.Contact.Name) is { } name)
            {
                Line(name);
            }

            Block(words.Authority, "");

            // The signature separator lets the partner's client leave the footer out of a quoted reply.
            Blank();
            Line("-- ");
            Block(words.Confidential, "");
            Block(Format(words.KeepNumber, $"[{request.RegisterNumber}]"), "");
        }

        // The facts the officer wrote for the form; the item's free text beside them, when it says something else.
        private void Facts(MailRequest form)
        {
            var facts = Clean(form.Facts);
            var text = Clean(Content.Text);
            Block(facts ?? text ?? words.NotSpecified, Section);
            if (facts is not null && text is not null && text != facts)
            {
                Blank();
                Field(words.AdditionalInformationLabel, text);
            }
        }

        // Each identifier as a numbered entry (6.1, 6.2 ...): what it is, when it was seen (in the zone the officer gave
        // and in UTC, which the provider's logs are kept in), the data asked for and the period; the item's data types
        // and period where the identifier names none of its own.
        private void Identifiers(MailRequest form, int section)
        {
            if (form.Identifiers.Length == 0)
            {
                Field(words.IdentifiersLabel, Content.Identifiers);
                if (!Spontaneous)
                {
                    Field(words.DataTypesLabel, DataTypes());
                }

                Field(words.PeriodLabel, Period());
                return;
            }

            var entry = Section + "    ";
            foreach (var (identifier, index) in form.Identifiers.Select((id, i) => (id, i + 1)))
            {
                Wrap(string.Create(CultureInfo.InvariantCulture, $"{section}.{index} {Named(identifier)}"), Section, entry);
                if (Seen(identifier) is var (local, utc))
                {
                    // On one line where it fits; else the UTC time under the local one, never a time cut in two.
                    var label = $"{words.TimeLabel}: ";
                    if (entry.Length + label.Length + local.Length + utc.Length + 3 <= Width)
                    {
                        Line($"{entry}{label}{local} = {utc}");
                    }
                    else
                    {
                        Line($"{entry}{label}{local}");
                        Line($"{entry}{new string(' ', label.Length)}= {utc}");
                    }
                }

                if (!Spontaneous)
                {
                    var data = identifier.Data is { Length: > 0 } own ? own : Content.RequestedData ?? [];
                    Field(words.DataLabel, Names(data), entry);
                }

                var period = identifier.From is not null || identifier.To is not null
                    ? Period(identifier.From, identifier.To)
                    : Period();
                if (period is not null || !Spontaneous)
                {
                    Field(words.PeriodLabel, period, entry);
                }
            }
        }

        private string Named(MailIdentifier identifier)
        {
            var named = $"{Lookup(words.IdentifierTypes, identifier.Type)}: {OneLine(identifier.Value) ?? words.NotSpecified}";
            if (OneLine(identifier.Qualifier) is not { } qualifier)
            {
                return named;
            }

            var label = words.Qualifiers.GetValueOrDefault(identifier.Type ?? "", words.QualifierLabel);
            return $"{named}, {label} {qualifier}";
        }

        // "2026-11-30 14:05:09 +05:00 (Asia/Almaty) = 09:05:09 UTC": the time as the officer saw it, then the instant
        // in UTC, with its date only when that differs, so that neither can be misread for the other.
        private static (string Local, string Utc)? Seen(MailIdentifier identifier)
        {
            if (identifier.At is not { } at)
            {
                return null;
            }

            var zone = ZoneOf(identifier.TimeZone);
            var local = zone is null ? at : TimeZoneInfo.ConvertTime(at, zone);
            var utc = at.ToUniversalTime();
            var shown = local.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture)
                + (zone is null ? "" : $" ({identifier.TimeZone!.Trim()})");
            var utcFormat = utc.Date == local.Date ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss";
            return (shown, utc.ToString(utcFormat, CultureInfo.InvariantCulture) + " UTC");
        }

        private string? Names(IEnumerable<string> codes)
        {
            var names = codes.Select(code => Lookup(words.DataTypes, code)).OfType<string>().ToList();
            return names.Count == 0 ? null : string.Join("; ", names);
        }

        private string? DataTypes() =>
            Names((Content.RequestedData ?? []).Where(code => !string.Equals(code, "preservation", StringComparison.Ordinal)));

        private string? Period() => Period(Content.DataFrom, Content.DataTo);

        // Midnight on both ends means the officer gave days; a timestamp would suggest a precision nobody asked for.
        private string? Period(DateTimeOffset? start, DateTimeOffset? end)
        {
            var from = start?.ToUniversalTime();
            var to = end?.ToUniversalTime();
            var days = from?.TimeOfDay is null or { Ticks: 0 } && to?.TimeOfDay is null or { Ticks: 0 };
            string Iso(DateTimeOffset at) => at.ToString(days ? "yyyy-MM-dd" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            return (from, to) switch
            {
                ({ } f, { } t) => Format(words.PeriodBetween, Iso(f), Iso(t)),
                ({ } f, null) => Format(words.PeriodFrom, Iso(f)),
                (null, { } t) => Format(words.PeriodUntil, Iso(t)),
                _ => null,
            };
        }

        // UTC is what the partner can compare with logs; our local time tells them when our desk will read the reply.
        private string? Moment(DateTimeOffset? at)
        {
            if (at is not { } moment)
            {
                return null;
            }

            var utc = moment.ToUniversalTime();
            var shown = utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
            if (zone is null)
            {
                return shown;
            }

            var local = TimeZoneInfo.ConvertTime(utc, zone);
            var localText = local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
            return $"{shown} ({localText} {Content.Contact.TimeZone.Trim()}, {Offset(local.Offset)})";
        }

        private void Heading(int number, string title)
        {
            Blank();
            Line(string.Create(CultureInfo.InvariantCulture, $"{number}. {title}"));
        }

        private void Optional(string label, string? value)
        {
            if (Clean(value) is not null)
            {
                Field(label, value, "");
            }
        }

        // A field the form expects is never left blank: the partner must see that we had nothing, not that we forgot.
        private void Field(string label, string? value, string indent = Section)
        {
            var shown = Clean(value) ?? words.NotSpecified;
            if (shown.Contains('\n', StringComparison.Ordinal))
            {
                Line(indent + label + ":");
                Block(shown, indent + Section);
            }
            else
            {
                Wrap($"{label}: {shown}", indent, indent + Section);
            }
        }

        private void Paragraph(string paragraph)
        {
            Block(paragraph, "");
            Blank();
        }

        private void Block(string block, string indent)
        {
            foreach (var line in block.Split('\n'))
            {
                Wrap(line, indent, indent);
            }
        }

        // Lines that already fit are kept as typed, so an officer's aligned table of log entries survives.
        private void Wrap(string line, string first, string rest)
        {
            if (first.Length + line.Length <= Width)
            {
                Line((first + line).TrimEnd());
                return;
            }

            var current = new StringBuilder(first);
            var empty = true;
            foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!empty && current.Length + 1 + word.Length > Width)
                {
                    Line(current.ToString());
                    current.Clear().Append(rest);
                    empty = true;
                }

                current.Append(empty ? "" : " ").Append(word);
                empty = false;
            }

            Line(current.ToString().TrimEnd());
        }

        private void Blank()
        {
            if (text.Length > 0 && !(text.Length > 1 && text[^1] == '\n' && text[^2] == '\n'))
            {
                text.Append('\n');
            }
        }

        private void Line(string line) => text.Append(line).Append('\n');
    }
}
