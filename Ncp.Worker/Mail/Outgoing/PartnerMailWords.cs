namespace Ncp.Worker.Mail.Outgoing;

/// <summary>
/// Every word of mail to partners, one table per language. The layout lives in <see cref="PartnerMailTemplates"/>, so
/// a new language is a new table here and nothing else; <c>required</c> makes the compiler refuse a table with a gap.
/// </summary>
internal sealed record PartnerMailWords
{
    public required string Salutation { get; init; }
    public required string Closing { get; init; }
    public required string Authority { get; init; }
    public required string NotSpecified { get; init; }
    public required string YourRef { get; init; }

    public required string ReminderPrefix { get; init; }
    public required string AcknowledgementPrefix { get; init; }
    public required string ReplyPrefix { get; init; }

    public required string PreservationTitle { get; init; }
    public required string DataRequestTitle { get; init; }
    public required string LegalAssistanceTitle { get; init; }
    public required string SpontaneousTitle { get; init; }

    public required string PreservationLead { get; init; }
    public required string DataRequestLead { get; init; }
    public required string LegalAssistanceLead { get; init; }
    public required string SpontaneousLead { get; init; }

    public required string RequestingAuthorityHeading { get; init; }
    public required string SendingAuthorityHeading { get; init; }
    public required string UrgencyHeading { get; init; }
    public required string LegalBasisHeading { get; init; }
    public required string OffenceHeading { get; init; }
    public required string DataRequestedHeading { get; init; }
    public required string DataConcernedHeading { get; init; }
    public required string FactsHeading { get; init; }
    public required string ContactHeading { get; init; }

    public required string AuthorityLabel { get; init; }
    public required string OurReferenceLabel { get; init; }
    public required string YourReferenceLabel { get; init; }
    public required string DateLabel { get; init; }
    public required string PriorityLabel { get; init; }
    public required string ReplyByLabel { get; init; }
    public required string YourDeadlineLabel { get; init; }
    public required string CategoryLabel { get; init; }
    public required string CaseNumberLabel { get; init; }
    public required string DataTypesLabel { get; init; }
    public required string IdentifiersLabel { get; init; }
    public required string PeriodLabel { get; init; }
    public required string PendingLabel { get; init; }
    public required string NameLabel { get; init; }
    public required string EmailLabel { get; init; }
    public required string PhoneLabel { get; init; }
    public required string TimeZoneLabel { get; init; }

    public required string PeriodBetween { get; init; }
    public required string PeriodFrom { get; init; }
    public required string PeriodUntil { get; init; }

    public required string PreserveNote { get; init; }
    public required string DisclosureNote { get; init; }

    public required string PreservationBasis { get; init; }
    public required string RequestBasis { get; init; }
    public required string SpontaneousBasis { get; init; }

    public required string ReminderLead { get; init; }
    public required string ReminderWhy { get; init; }
    public required string ReminderConfirm { get; init; }
    public required string AcknowledgementLead { get; init; }
    public required string AcknowledgementClosing { get; init; }
    public required string ReplyLead { get; init; }

    public required string Confidential { get; init; }
    public required string KeepNumber { get; init; }

    public required IReadOnlyDictionary<string, string> Priorities { get; init; }
    public required IReadOnlyDictionary<string, string> DataTypes { get; init; }
    public required IReadOnlyDictionary<string, string> CrimeCategories { get; init; }

    private static readonly PartnerMailWords English = new()
    {
        Salutation = "Dear colleagues,",
        Closing = "Yours faithfully,",
        Authority = "Cybercrime National Contact Point of the Republic of Kazakhstan (24/7)",
        NotSpecified = "not specified",
        YourRef = "(your ref. {0})",

        ReminderPrefix = "Reminder",
        AcknowledgementPrefix = "Acknowledgement of receipt",
        ReplyPrefix = "Reply",

        PreservationTitle = "Preservation request",
        DataRequestTitle = "Request for data",
        LegalAssistanceTitle = "Request for legal assistance (advance notice)",
        SpontaneousTitle = "Spontaneous information",

        PreservationLead = "We request the expedited preservation of the stored computer data described below.",
        DataRequestLead = "We request the computer data described below for a criminal investigation.",
        LegalAssistanceLead = "We send in advance a request for legal assistance in the criminal case described below. "
            + "The formal request will follow through the central authority of the Republic of Kazakhstan.",
        SpontaneousLead = "Under Article 26 of the Convention on Cybercrime we forward, without prior request, "
            + "the information below, which may assist you in initiating or carrying out investigations or proceedings. "
            + "No reply is needed beyond an acknowledgement of receipt.",

        RequestingAuthorityHeading = "Requesting authority and reference",
        SendingAuthorityHeading = "Sending authority and reference",
        UrgencyHeading = "Urgency",
        LegalBasisHeading = "Legal basis",
        OffenceHeading = "Offence under investigation",
        DataRequestedHeading = "Data requested",
        DataConcernedHeading = "Data concerned",
        FactsHeading = "Summary of facts and additional information",
        ContactHeading = "Contact person",

        AuthorityLabel = "Authority",
        OurReferenceLabel = "Our reference",
        YourReferenceLabel = "Your reference",
        DateLabel = "Date",
        PriorityLabel = "Priority",
        ReplyByLabel = "Reply requested by",
        YourDeadlineLabel = "Your deadline",
        CategoryLabel = "Category",
        CaseNumberLabel = "Criminal case number",
        DataTypesLabel = "Types of data",
        IdentifiersLabel = "Identifiers",
        PeriodLabel = "Period",
        PendingLabel = "Pending",
        NameLabel = "Name",
        EmailLabel = "E-mail",
        PhoneLabel = "Phone",
        TimeZoneLabel = "Time zone",

        PeriodBetween = "{0} to {1} (UTC)",
        PeriodFrom = "from {0} (UTC)",
        PeriodUntil = "until {0} (UTC)",

        PreserveNote = "Please preserve these data for 90 days pending a formal request for their disclosure "
            + "(Article 29(7)), and do not inform the account holder.",
        DisclosureNote = "Please provide these data, or tell us which formal procedure their disclosure requires.",

        PreservationBasis = "Convention on Cybercrime (ETS No. 185), Article 29 / 35",
        RequestBasis = "Convention on Cybercrime (ETS No. 185), Article 35 (24/7 Network); "
            + "mutual assistance to follow where required",
        SpontaneousBasis = "Convention on Cybercrime (ETS No. 185), Article 26",

        ReminderLead = "We refer to our message {0} \u201c{1}\u201d, to which we have not yet received a reply.",
        ReminderWhy = "Time matters: service providers keep such data only for a limited period, after which "
            + "they are deleted and cannot be recovered.",
        ReminderConfirm = "Please confirm receipt of this reminder and let us know when a reply may be expected.",
        AcknowledgementLead = "We acknowledge receipt of your message \u201c{0}\u201d. It has been registered under "
            + "our reference {1} and is being handled.",
        AcknowledgementClosing = "We will inform you of the outcome as soon as possible.",
        ReplyLead = "In reply to your request \u201c{0}\u201d, we inform you of the following:",

        Confidential = "CONFIDENTIAL: law-enforcement information. Do not forward outside the addressee's authority.",
        KeepNumber = "Please keep {0} in the subject of your reply.",

        Priorities = new Dictionary<string, string>
        {
            ["urgent"] = "URGENT – the matter is time-critical; delay may cause evidence to be lost",
            ["high"] = "high",
            ["normal"] = "normal",
        },
        DataTypes = new Dictionary<string, string>
        {
            ["subscriber-data"] = "subscriber information",
            ["traffic-data"] = "traffic data (logs)",
            ["content-data"] = "content data",
        },
        CrimeCategories = new Dictionary<string, string>
        {
            ["computer-crime"] = "offences against computer data and systems",
            ["internet-fraud"] = "fraud committed through information systems",
            ["child-sexual-abuse"] = "child sexual abuse",
            ["extortion"] = "extortion",
            ["drug-trafficking"] = "drug trafficking",
            ["money-laundering"] = "money laundering",
            ["terrorism-extremism"] = "terrorism and extremism",
            ["human-trafficking"] = "trafficking in human beings",
            ["other"] = "other",
        },
    };

    private static readonly PartnerMailWords Russian = new()
    {
        Salutation = "Уважаемые коллеги!",
        Closing = "С уважением,",
        Authority = "Национальный контактный пункт Республики Казахстан по противодействию киберпреступности (24/7)",
        NotSpecified = "не указано",
        YourRef = "(ваш исх. {0})",

        ReminderPrefix = "Напоминание",
        AcknowledgementPrefix = "Подтверждение получения",
        ReplyPrefix = "Ответ",

        PreservationTitle = "Запрос о сохранении компьютерных данных",
        DataRequestTitle = "Запрос о предоставлении компьютерных данных",
        LegalAssistanceTitle = "Запрос об оказании правовой помощи (предварительное уведомление)",
        SpontaneousTitle = "Информация, направляемая по собственной инициативе",

        PreservationLead = "Просим обеспечить оперативное сохранение указанных ниже хранимых компьютерных данных.",
        DataRequestLead = "Просим предоставить указанные ниже компьютерные данные, необходимые для расследования "
            + "уголовного дела.",
        LegalAssistanceLead = "Направляем в предварительном порядке запрос об оказании правовой помощи по указанному "
            + "ниже уголовному делу. Официальный запрос будет направлен через центральный орган Республики Казахстан.",
        SpontaneousLead = "В соответствии со статьёй 26 Конвенции о преступности в сфере компьютерной информации "
            + "направляем без предварительного запроса нижеследующую информацию, которая может способствовать "
            + "возбуждению или проведению вами расследования либо судебного разбирательства. Помимо подтверждения "
            + "получения, ответа не требуется.",

        RequestingAuthorityHeading = "Запрашивающий орган и исходящий номер",
        SendingAuthorityHeading = "Направляющий орган и исходящий номер",
        UrgencyHeading = "Срочность",
        LegalBasisHeading = "Правовое основание",
        OffenceHeading = "Расследуемое преступление",
        DataRequestedHeading = "Запрашиваемые данные",
        DataConcernedHeading = "Данные, к которым относится информация",
        FactsHeading = "Краткое изложение обстоятельств и дополнительная информация",
        ContactHeading = "Контактное лицо",

        AuthorityLabel = "Орган",
        OurReferenceLabel = "Наш №",
        YourReferenceLabel = "Ваш исх. №",
        DateLabel = "Дата",
        PriorityLabel = "Приоритет",
        ReplyByLabel = "Срок ответа",
        YourDeadlineLabel = "Установленный вами срок",
        CategoryLabel = "Категория",
        CaseNumberLabel = "Номер уголовного дела",
        DataTypesLabel = "Виды данных",
        IdentifiersLabel = "Идентификаторы",
        PeriodLabel = "Период",
        PendingLabel = "Ожидает исполнения",
        NameLabel = "Ф.И.О.",
        EmailLabel = "Эл. почта",
        PhoneLabel = "Телефон",
        TimeZoneLabel = "Часовой пояс",

        PeriodBetween = "с {0} по {1} (UTC)",
        PeriodFrom = "с {0} (UTC)",
        PeriodUntil = "по {0} (UTC)",

        PreserveNote = "Просим обеспечить сохранность указанных данных в течение 90 дней до поступления "
            + "официального запроса об их предоставлении (пункт 7 статьи 29) и не уведомлять владельца учётной записи.",
        DisclosureNote = "Просим предоставить указанные данные либо сообщить, какая процедура требуется "
            + "для их получения.",

        PreservationBasis = "Конвенция о преступности в сфере компьютерной информации (ETS № 185), статьи 29 и 35",
        RequestBasis = "Конвенция о преступности в сфере компьютерной информации (ETS № 185), статья 35 (сеть 24/7); "
            + "при необходимости будет направлен запрос о взаимной правовой помощи",
        SpontaneousBasis = "Конвенция о преступности в сфере компьютерной информации (ETS № 185), статья 26",

        ReminderLead = "Ссылаемся на наше письмо № {0} «{1}», ответ на которое до настоящего времени не поступил.",
        ReminderWhy = "Обращаем внимание, что поставщики услуг хранят такие данные ограниченный срок, по истечении "
            + "которого они удаляются без возможности восстановления.",
        ReminderConfirm = "Просим подтвердить получение настоящего напоминания и сообщить предполагаемый срок ответа.",
        AcknowledgementLead = "Подтверждаем получение вашего сообщения «{0}». Оно зарегистрировано за № {1} "
            + "и принято к исполнению.",
        AcknowledgementClosing = "О результатах сообщим дополнительно.",
        ReplyLead = "В ответ на ваш запрос «{0}» сообщаем следующее:",

        Confidential = "КОНФИДЕНЦИАЛЬНО: информация правоохранительного органа. Передача за пределы "
            + "ведомства-адресата не допускается.",
        KeepNumber = "При ответе просим сохранять {0} в теме письма.",

        Priorities = new Dictionary<string, string>
        {
            ["urgent"] = "СРОЧНО – дело не терпит отлагательства; промедление может привести к утрате доказательств",
            ["high"] = "высокий",
            ["normal"] = "обычный",
        },
        DataTypes = new Dictionary<string, string>
        {
            ["subscriber-data"] = "сведения об абоненте",
            ["traffic-data"] = "данные о трафике (журналы соединений)",
            ["content-data"] = "данные о содержании",
        },
        CrimeCategories = new Dictionary<string, string>
        {
            ["computer-crime"] = "уголовные правонарушения в сфере информатизации и связи",
            ["internet-fraud"] = "мошенничество с использованием информационных систем",
            ["child-sexual-abuse"] = "сексуальное насилие в отношении несовершеннолетних",
            ["extortion"] = "вымогательство",
            ["drug-trafficking"] = "незаконный оборот наркотических средств",
            ["money-laundering"] = "легализация (отмывание) денег и имущества, полученных преступным путём",
            ["terrorism-extremism"] = "терроризм и экстремизм",
            ["human-trafficking"] = "торговля людьми",
            ["other"] = "иное",
        },
    };

    // English is the fallback because it is the working language of the 24/7 network and of Interpol, which most
    // partners share; CIS BKBOP and CSTO partners read Russian, and their directory entries say ru. Region tags
    // ("ru-KZ") and capitals come from people's settings, so the language alone picks the table.
    public static PartnerMailWords For(string? language) =>
        string.Equals((language ?? "").Split('-', '_')[0].Trim(), "ru", StringComparison.OrdinalIgnoreCase) ? Russian : English;
}
