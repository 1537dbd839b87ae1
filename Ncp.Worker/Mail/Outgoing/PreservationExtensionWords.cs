namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// The words of a request to extend a preservation (Budapest Convention art. 29(7)), beside the tables of
/// <see cref="PartnerMailWords"/> so that the letter's own words stay in one place: English, Russian, and Kazakh for domestic copies.
/// </summary>
internal sealed record PreservationExtensionWords(
    string Prefix, string Lead, string UntilLabel, string FurtherLabel, string Days, string Confirm)
{
    private static readonly PreservationExtensionWords English = new(
        "Request to extend preservation",
        "We refer to our preservation request {0} \u201c{1}\u201d, which you confirmed. The formal request for the disclosure of the "
            + "data will not be answered before the preservation ends. Under Article 29(7) of the Convention on Cybercrime we ask you "
            + "to continue preserving the data for a further period.",
        "Preserved until",
        "Further period requested",
        "{0} days",
        "Please confirm the extension and the new date until which the data are preserved.");

    private static readonly PreservationExtensionWords Russian = new(
        "Запрос о продлении срока сохранения",
        "Ссылаемся на наш запрос о сохранении данных № {0} «{1}», исполнение которого вы подтвердили. Официальный запрос о "
            + "предоставлении данных не будет исполнен до истечения срока сохранения. В соответствии с пунктом 7 статьи 29 Конвенции "
            + "о преступности в сфере компьютерной информации просим продлить сохранение данных на дополнительный срок.",
        "Данные сохраняются до",
        "Запрашиваемый дополнительный срок",
        "{0} дней",
        "Просим подтвердить продление и сообщить новую дату, до которой данные будут сохраняться.");

    private static readonly PreservationExtensionWords Kazakh = new(
        "Сақтау мерзімін ұзарту туралы сұрау",
        "Сіз орындалуын растаған деректерді сақтау туралы № {0} «{1}» сұрауымызға сілтеме жасаймыз. Деректерді беру туралы ресми "
            + "сұрау сақтау мерзімі аяқталғанға дейін орындалмайды. Киберқылмыс туралы конвенцияның (ETS № 185) "
            + "29-бабының 7-тармағына сәйкес деректерді сақтауды қосымша мерзімге ұзартуды сұраймыз.",
        "Деректер сақталатын мерзім",
        "Сұралатын қосымша мерзім",
        "{0} күн",
        "Ұзартуды растап, деректер сақталатын жаңа күнді хабарлауыңызды сұраймыз.");

    public static PreservationExtensionWords For(string? language) => (language ?? "").Split('-', '_')[0].Trim().ToLowerInvariant() switch
    {
        "ru" => Russian,
        "kk" => Kazakh,
        _ => English,
    };
}
