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

    // The forms partners know (Budapest Convention arts. 29, 30, 31/35, 26, and legal assistance), when the item has them.
    public required string DisclosureTitle { get; init; }
    public required string StoredDataTitle { get; init; }
    public required string MutualAssistanceTitle { get; init; }
    public required string ExtensionTitle { get; init; }
    public required string DisclosureLead { get; init; }
    public required string StoredDataLead { get; init; }
    public required string MutualAssistanceLead { get; init; }
    public required string ExtensionLead { get; init; }
    public required string DisclosureBasis { get; init; }
    public required string StoredDataBasis { get; init; }
    public required string MutualAssistanceBasis { get; init; }

    public required string RequestedAuthorityHeading { get; init; }
    public required string PreservedDataHeading { get; init; }
    public required string DisclosedDataHeading { get; init; }
    public required string ActionHeading { get; init; }
    public required string AssistanceHeading { get; init; }
    public required string ConfidentialityHeading { get; init; }
    public required string EnclosuresHeading { get; init; }

    public required string ContactPoint { get; init; }
    public required string OffenceLabel { get; init; }
    public required string PenaltyLabel { get; init; }
    public required string UrgencyReasonLabel { get; init; }
    public required string AdditionalInformationLabel { get; init; }
    public required string TimeLabel { get; init; }
    public required string DataLabel { get; init; }
    public required string QualifierLabel { get; init; }
    public required string EnclosureSize { get; init; }

    public required string FollowUpNote { get; init; }
    public required string TrafficPathNote { get; init; }
    public required string DefaultConfidentiality { get; init; }

    public required IReadOnlyDictionary<string, string> HandlingMarks { get; init; }
    public required IReadOnlyDictionary<string, string> IdentifierTypes { get; init; }
    public required IReadOnlyDictionary<string, string> Qualifiers { get; init; }

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

        DisclosureTitle = "Request for expedited disclosure of preserved traffic data",
        StoredDataTitle = "Request for stored computer data",
        MutualAssistanceTitle = "Request for mutual legal assistance in a criminal matter",
        ExtensionTitle = "Request to extend preservation",
        DisclosureLead = "Further to the preservation of the traffic data described below, we request their expedited "
            + "disclosure (Article 30).",
        StoredDataLead = "We request access to, or the disclosure of, the stored computer data described below "
            + "(Articles 31 and 35).",
        MutualAssistanceLead = "We request legal assistance in the criminal case described below. Where your law requires "
            + "it, the original of this request will follow through the central authority.",
        ExtensionLead = "We request that the preservation of the data described below, made at our earlier request, be "
            + "extended for a further 90 days (Article 29(7)); the request for mutual assistance for their disclosure is "
            + "in preparation.",
        DisclosureBasis = "Convention on Cybercrime (ETS No. 185), Articles 30 and 35",
        StoredDataBasis = "Convention on Cybercrime (ETS No. 185), Articles 31 and 35",
        MutualAssistanceBasis = "Convention on Cybercrime (ETS No. 185), Articles 25 and 27",

        RequestedAuthorityHeading = "Requested authority",
        PreservedDataHeading = "Data to be preserved",
        DisclosedDataHeading = "Traffic data to be disclosed",
        ActionHeading = "Action requested",
        AssistanceHeading = "Assistance sought",
        ConfidentialityHeading = "Confidentiality",
        EnclosuresHeading = "Enclosures",

        ContactPoint = "24/7 point of contact ({0})",
        OffenceLabel = "Offence (article)",
        PenaltyLabel = "Penalty provided by law",
        UrgencyReasonLabel = "Reason for urgency",
        AdditionalInformationLabel = "Additional information",
        TimeLabel = "Time",
        DataLabel = "Data requested",
        QualifierLabel = "details",
        EnclosureSize = "{0} bytes",

        FollowUpNote = "A request for mutual assistance for the search, seizure or disclosure of these data will follow "
            + "(Article 29(2)(f)).",
        TrafficPathNote = "If the traffic data show that a service provider in another State took part in the "
            + "transmission, please disclose enough of them to identify that provider and the path of the communication "
            + "(Article 30(1)).",
        DefaultConfidentiality = "Please keep the fact and the content of this request confidential, except as needed to "
            + "execute it (Article 27(8)).",

        HandlingMarks = new Dictionary<string, string>
        {
            ["open"] = "for law-enforcement use; not to be made public",
            ["no-other-channels"] = "not to be passed through another channel without the originator's consent",
            ["no-third-parties"] = "not to be passed to any third party without the originator's consent",
        },
        IdentifierTypes = new Dictionary<string, string>
        {
            ["ip-address"] = "IP address",
            ["email"] = "E-mail address",
            ["phone"] = "Phone number",
            ["account"] = "Account",
            ["url"] = "URL",
            ["domain"] = "Domain name",
            ["payment-card"] = "Payment card",
            ["iban"] = "IBAN",
            ["crypto-wallet"] = "Crypto wallet",
            ["imei"] = "IMEI",
            ["imsi"] = "IMSI",
        },
        Qualifiers = new Dictionary<string, string>
        {
            ["ip-address"] = "port",
            ["account"] = "service",
            ["crypto-wallet"] = "chain",
        },

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
            ["preservation"] = "preservation of the data",
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

        DisclosureTitle = "Запрос об оперативном раскрытии сохранённых данных о трафике",
        StoredDataTitle = "Запрос о предоставлении хранимых компьютерных данных",
        MutualAssistanceTitle = "Запрос об оказании правовой помощи по уголовному делу",
        ExtensionTitle = "Запрос о продлении срока сохранения данных",
        DisclosureLead = "В связи с сохранением указанных ниже данных о трафике просим оперативно раскрыть их "
            + "(статья 30).",
        StoredDataLead = "Просим предоставить доступ к указанным ниже хранимым компьютерным данным либо раскрыть их "
            + "(статьи 31 и 35).",
        MutualAssistanceLead = "Просим оказать правовую помощь по указанному ниже уголовному делу. Если это требуется "
            + "по вашему законодательству, подлинник запроса будет направлен через центральный орган.",
        ExtensionLead = "Просим продлить ещё на 90 дней срок сохранения указанных ниже данных, обеспеченного по нашему "
            + "предыдущему запросу (пункт 7 статьи 29); запрос о взаимной помощи в целях их раскрытия находится "
            + "в стадии подготовки.",
        DisclosureBasis = "Конвенция о преступности в сфере компьютерной информации (ETS № 185), статьи 30 и 35",
        StoredDataBasis = "Конвенция о преступности в сфере компьютерной информации (ETS № 185), статьи 31 и 35",
        MutualAssistanceBasis = "Конвенция о преступности в сфере компьютерной информации (ETS № 185), статьи 25 и 27",

        RequestedAuthorityHeading = "Запрашиваемый орган",
        PreservedDataHeading = "Данные, подлежащие сохранению",
        DisclosedDataHeading = "Данные о трафике, подлежащие раскрытию",
        ActionHeading = "Запрашиваемые действия",
        AssistanceHeading = "Запрашиваемая помощь",
        ConfidentialityHeading = "Конфиденциальность",
        EnclosuresHeading = "Приложения",

        ContactPoint = "Контактный пункт сети 24/7 ({0})",
        OffenceLabel = "Уголовное правонарушение (статья)",
        PenaltyLabel = "Предусмотренное наказание",
        UrgencyReasonLabel = "Обоснование срочности",
        AdditionalInformationLabel = "Дополнительная информация",
        TimeLabel = "Время",
        DataLabel = "Запрашиваемые данные",
        QualifierLabel = "уточнение",
        EnclosureSize = "{0} байт",

        FollowUpNote = "Запрос о взаимной помощи в целях обыска, выемки или раскрытия этих данных будет направлен "
            + "дополнительно (подпункт f пункта 2 статьи 29).",
        TrafficPathNote = "Если данные о трафике свидетельствуют об участии в передаче сообщения поставщика услуг "
            + "другого государства, просим раскрыть их в объёме, достаточном для установления этого поставщика и пути "
            + "передачи сообщения (пункт 1 статьи 30).",
        DefaultConfidentiality = "Просим сохранять конфиденциальность факта и содержания запроса, за исключением "
            + "случаев, необходимых для его исполнения (пункт 8 статьи 27).",

        HandlingMarks = new Dictionary<string, string>
        {
            ["open"] = "для служебного использования правоохранительными органами; не подлежит опубликованию",
            ["no-other-channels"] = "не подлежит передаче по иным каналам без согласия стороны, предоставившей информацию",
            ["no-third-parties"] = "не подлежит передаче третьим лицам без согласия стороны, предоставившей информацию",
        },
        IdentifierTypes = new Dictionary<string, string>
        {
            ["ip-address"] = "IP-адрес",
            ["email"] = "Адрес электронной почты",
            ["phone"] = "Номер телефона",
            ["account"] = "Учётная запись",
            ["url"] = "URL-адрес",
            ["domain"] = "Доменное имя",
            ["payment-card"] = "Платёжная карта",
            ["iban"] = "IBAN",
            ["crypto-wallet"] = "Криптовалютный кошелёк",
            ["imei"] = "IMEI",
            ["imsi"] = "IMSI",
        },
        Qualifiers = new Dictionary<string, string>
        {
            ["ip-address"] = "порт",
            ["account"] = "сервис",
            ["crypto-wallet"] = "блокчейн",
        },

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
            ["preservation"] = "сохранение данных",
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

    // Kazakh is for domestic copies (a regional unit, a prosecutor): the same forms in the state language.
    private static readonly PartnerMailWords Kazakh = new()
    {
        Salutation = "Құрметті әріптестер!",
        Closing = "Құрметпен,",
        Authority = "Қазақстан Республикасының киберқылмысқа қарсы іс-қимыл жөніндегі ұлттық байланыс пункті (24/7)",
        NotSpecified = "көрсетілмеген",
        YourRef = "(сіздің шығыс № {0})",

        ReminderPrefix = "Еске салу",
        AcknowledgementPrefix = "Алынғанын растау",
        ReplyPrefix = "Жауап",

        PreservationTitle = "Компьютерлік деректерді сақтау туралы сұрау салу",
        DataRequestTitle = "Компьютерлік деректерді ұсыну туралы сұрау салу",
        LegalAssistanceTitle = "Құқықтық көмек көрсету туралы сұрау салу (алдын ала хабарлама)",
        SpontaneousTitle = "Өз бастамасы бойынша жіберілетін ақпарат",

        PreservationLead = "Төменде көрсетілген сақталған компьютерлік деректердің жедел сақталуын қамтамасыз етуді "
            + "сұраймыз.",
        DataRequestLead = "Қылмыстық істі тергеу үшін қажетті төменде көрсетілген компьютерлік деректерді ұсынуды "
            + "сұраймыз.",
        LegalAssistanceLead = "Төменде көрсетілген қылмыстық іс бойынша құқықтық көмек көрсету туралы сұрау салуды "
            + "алдын ала жібереміз. Ресми сұрау салу Қазақстан Республикасының орталық органы арқылы жіберіледі.",
        SpontaneousLead = "Киберқылмыс туралы конвенцияның 26-бабына сәйкес алдын ала сұрау салусыз тергеуді немесе "
            + "сот талқылауын бастауға не жүргізуге ықпал етуі мүмкін төмендегі ақпаратты жібереміз. Алынғанын "
            + "растаудан басқа жауап талап етілмейді.",

        RequestingAuthorityHeading = "Сұрау салушы орган және шығыс нөмірі",
        SendingAuthorityHeading = "Жіберуші орган және шығыс нөмірі",
        UrgencyHeading = "Шұғылдығы",
        LegalBasisHeading = "Құқықтық негіз",
        OffenceHeading = "Тергеліп жатқан қылмыстық құқық бұзушылық",
        DataRequestedHeading = "Сұралатын деректер",
        DataConcernedHeading = "Ақпарат қатысты деректер",
        FactsHeading = "Мән-жайлардың қысқаша баяндамасы және қосымша ақпарат",
        ContactHeading = "Байланыс жасайтын тұлға",

        AuthorityLabel = "Орган",
        OurReferenceLabel = "Біздің №",
        YourReferenceLabel = "Сіздің шығыс №",
        DateLabel = "Күні",
        PriorityLabel = "Басымдығы",
        ReplyByLabel = "Жауап беру мерзімі",
        YourDeadlineLabel = "Сіз белгілеген мерзім",
        CategoryLabel = "Санаты",
        CaseNumberLabel = "Қылмыстық іс нөмірі",
        DataTypesLabel = "Деректер түрлері",
        IdentifiersLabel = "Сәйкестендіргіштер",
        PeriodLabel = "Кезең",
        PendingLabel = "Орындалуды күтуде",
        NameLabel = "Т.А.Ә.",
        EmailLabel = "Электрондық пошта",
        PhoneLabel = "Телефон",
        TimeZoneLabel = "Уақыт белдеуі",

        PeriodBetween = "{0} – {1} (UTC)",
        PeriodFrom = "басы: {0} (UTC)",
        PeriodUntil = "соңы: {0} (UTC)",

        PreserveNote = "Осы деректердің оларды ұсыну туралы ресми сұрау салу келіп түскенге дейін 90 күн бойы "
            + "сақталуын қамтамасыз етуді (29-баптың 7-тармағы) және есептік жазба иесін хабардар етпеуді сұраймыз.",
        DisclosureNote = "Осы деректерді ұсынуды не оларды алу үшін қандай рәсім талап етілетінін хабарлауды сұраймыз.",

        PreservationBasis = "Киберқылмыс туралы конвенция (ETS № 185), 29 және 35-баптар",
        RequestBasis = "Киберқылмыс туралы конвенция (ETS № 185), 35-бап (24/7 желісі); қажет болған жағдайда өзара "
            + "құқықтық көмек туралы сұрау салу жіберіледі",
        SpontaneousBasis = "Киберқылмыс туралы конвенция (ETS № 185), 26-бап",

        ReminderLead = "Біздің № {0} «{1}» хатымызға сілтеме жасаймыз, оған осы уақытқа дейін жауап келіп түскен жоқ.",
        ReminderWhy = "Қызмет көрсетушілер мұндай деректерді шектеулі мерзім ішінде сақтайтынына назар аударамыз, ол "
            + "мерзім өткеннен кейін деректер қалпына келтіру мүмкіндігінсіз жойылады.",
        ReminderConfirm = "Осы еске салудың алынғанын растауды және жауаптың болжамды мерзімін хабарлауды сұраймыз.",
        AcknowledgementLead = "Сіздің «{0}» хабарламаңыздың алынғанын растаймыз. Ол № {1} болып тіркелді және "
            + "орындауға қабылданды.",
        AcknowledgementClosing = "Нәтижесі туралы қосымша хабарлаймыз.",
        ReplyLead = "Сіздің «{0}» сұрау салуыңызға жауап ретінде мынаны хабарлаймыз:",

        Confidential = "ҚҰПИЯ: құқық қорғау органының ақпараты. Адресат-ведомстводан тыс жерге беруге жол берілмейді.",
        KeepNumber = "Жауап бергенде хаттың тақырыбында {0} нөмірін сақтауды сұраймыз.",

        DisclosureTitle = "Сақталған трафик деректерін жедел ашу туралы сұрау салу",
        StoredDataTitle = "Сақталған компьютерлік деректерді ұсыну туралы сұрау салу",
        MutualAssistanceTitle = "Қылмыстық іс бойынша құқықтық көмек көрсету туралы сұрау салу",
        ExtensionTitle = "Деректерді сақтау мерзімін ұзарту туралы сұрау салу",
        DisclosureLead = "Төменде көрсетілген трафик деректерінің сақталуына байланысты оларды жедел ашуды сұраймыз "
            + "(30-бап).",
        StoredDataLead = "Төменде көрсетілген сақталған компьютерлік деректерге қол жеткізуді не оларды ашуды сұраймыз "
            + "(31 және 35-баптар).",
        MutualAssistanceLead = "Төменде көрсетілген қылмыстық іс бойынша құқықтық көмек көрсетуді сұраймыз. Егер "
            + "сіздің заңнамаңыз талап етсе, сұрау салудың түпнұсқасы орталық орган арқылы жіберіледі.",
        ExtensionLead = "Біздің алдыңғы сұрау салуымыз бойынша қамтамасыз етілген төменде көрсетілген деректерді сақтау "
            + "мерзімін тағы 90 күнге ұзартуды сұраймыз (29-баптың 7-тармағы); оларды ашу мақсатында өзара көмек "
            + "туралы сұрау салу дайындалу үстінде.",
        DisclosureBasis = "Киберқылмыс туралы конвенция (ETS № 185), 30 және 35-баптар",
        StoredDataBasis = "Киберқылмыс туралы конвенция (ETS № 185), 31 және 35-баптар",
        MutualAssistanceBasis = "Киберқылмыс туралы конвенция (ETS № 185), 25 және 27-баптар",

        RequestedAuthorityHeading = "Сұрау салынатын орган",
        PreservedDataHeading = "Сақталуға тиіс деректер",
        DisclosedDataHeading = "Ашылуға тиіс трафик деректері",
        ActionHeading = "Сұралатын әрекеттер",
        AssistanceHeading = "Сұралатын көмек",
        ConfidentialityHeading = "Құпиялылық",
        EnclosuresHeading = "Қосымшалар",

        ContactPoint = "24/7 желісінің байланыс пункті ({0})",
        OffenceLabel = "Қылмыстық құқық бұзушылық (бап)",
        PenaltyLabel = "Көзделген жаза",
        UrgencyReasonLabel = "Шұғылдық негіздемесі",
        AdditionalInformationLabel = "Қосымша ақпарат",
        TimeLabel = "Уақыты",
        DataLabel = "Сұралатын деректер",
        QualifierLabel = "нақтылау",
        EnclosureSize = "{0} байт",

        FollowUpNote = "Осы деректерді тінту, алу немесе ашу мақсатында өзара көмек туралы сұрау салу қосымша "
            + "жіберіледі (29-баптың 2-тармағының f тармақшасы).",
        TrafficPathNote = "Егер трафик деректері хабарды беруге басқа мемлекеттің қызмет көрсетушісі қатысқанын "
            + "көрсетсе, осы қызмет көрсетушіні және хабардың берілу жолын анықтау үшін жеткілікті көлемде деректерді "
            + "ашуды сұраймыз (30-баптың 1-тармағы).",
        DefaultConfidentiality = "Сұрау салудың фактісі мен мазмұнының құпиялылығын, оны орындау үшін қажетті "
            + "жағдайларды қоспағанда, сақтауды сұраймыз (27-баптың 8-тармағы).",

        HandlingMarks = new Dictionary<string, string>
        {
            ["open"] = "құқық қорғау органдарының қызметтік пайдалануына арналған; жариялауға жатпайды",
            ["no-other-channels"] = "ақпаратты ұсынған тараптың келісімінсіз өзге арналар арқылы беруге жатпайды",
            ["no-third-parties"] = "ақпаратты ұсынған тараптың келісімінсіз үшінші тұлғаларға беруге жатпайды",
        },
        IdentifierTypes = new Dictionary<string, string>
        {
            ["ip-address"] = "IP-мекенжай",
            ["email"] = "Электрондық пошта мекенжайы",
            ["phone"] = "Телефон нөмірі",
            ["account"] = "Есептік жазба",
            ["url"] = "URL-мекенжай",
            ["domain"] = "Домендік атау",
            ["payment-card"] = "Төлем картасы",
            ["iban"] = "IBAN",
            ["crypto-wallet"] = "Криптовалюта әмияны",
            ["imei"] = "IMEI",
            ["imsi"] = "IMSI",
        },
        Qualifiers = new Dictionary<string, string>
        {
            ["ip-address"] = "порт",
            ["account"] = "сервис",
            ["crypto-wallet"] = "блокчейн",
        },

        Priorities = new Dictionary<string, string>
        {
            ["urgent"] = "ШҰҒЫЛ – іс кейінге қалдыруды көтермейді; кідіріс дәлелдемелердің жоғалуына әкелуі мүмкін",
            ["high"] = "жоғары",
            ["normal"] = "қалыпты",
        },
        DataTypes = new Dictionary<string, string>
        {
            ["subscriber-data"] = "абонент туралы мәліметтер",
            ["traffic-data"] = "трафик деректері (қосылыстар журналдары)",
            ["content-data"] = "мазмұн деректері",
            ["preservation"] = "деректерді сақтау",
        },
        CrimeCategories = new Dictionary<string, string>
        {
            ["computer-crime"] = "ақпараттандыру және байланыс саласындағы қылмыстық құқық бұзушылықтар",
            ["internet-fraud"] = "ақпараттық жүйелерді пайдалана отырып жасалған алаяқтық",
            ["child-sexual-abuse"] = "кәмелетке толмағандарға қатысты жыныстық зорлық-зомбылық",
            ["extortion"] = "қорқытып алушылық",
            ["drug-trafficking"] = "есірткі құралдарының заңсыз айналымы",
            ["money-laundering"] = "қылмыстық жолмен алынған ақшаны және (немесе) өзге мүлікті заңдастыру (жылыстату)",
            ["terrorism-extremism"] = "терроризм және экстремизм",
            ["human-trafficking"] = "адам саудасы",
            ["other"] = "басқа",
        },
    };

    // English is the fallback because it is the working language of the 24/7 network and of Interpol, which most
    // partners share; CIS BKBOP and CSTO partners read Russian, and their directory entries say ru; kk is for domestic
    // copies. Region tags ("ru-KZ") and capitals come from people's settings, so the language alone picks the table.
    public static PartnerMailWords For(string? language) =>
        (language ?? "").Split('-', '_')[0].Trim().ToLowerInvariant() switch
        {
            "ru" => Russian,
            "kk" => Kazakh,
            _ => English,
        };
}
