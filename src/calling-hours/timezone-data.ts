/**
 * Time-zone data for deciding when a phone number may be called. Two tables, both plain data:
 *
 * 1. NANP_AREA_CODE_ZONES: US and Canadian area code -> every IANA zone the area code covers.
 *    Written by hand from the NANPA area code assignments (https://nationalnanpa.com/ -> "Area Code
 *    Maps" / "Geographic NPAs in service") and the state/province time-zone boundaries. An area code
 *    spanning a time-zone boundary lists every zone it touches (the caller must satisfy the calling
 *    window in all of them). Only area codes in service that we are sure of are listed: an unknown one
 *    (new overlays, non-geographic codes such as 800 or 500) falls back to ALL of the country's zones,
 *    which is the safe choice. To update: when NANPA announces a new overlay, add the code to the line
 *    of the area code it overlays (an overlay covers the same ground, hence the same zones).
 *
 * 2. COUNTRY_ZONES: ISO 3166 country -> its IANA zones, generated from the IANA tz database's
 *    zone.tab (public domain). To update after a tzdata release:
 *      awk -F'\t' '!/^#/ {print $1, $3}' /usr/share/zoneinfo/zone.tab
 *    and rewrite the object below from that list (one line per country, zones in file order).
 */

const eastern = 'America/New_York';
const central = 'America/Chicago';
const mountain = 'America/Denver';
const pacific = 'America/Los_Angeles';

// [zones, area codes]: one line per state/province (or per part of one that spans zones).
const nanpLines: ReadonlyArray<readonly [readonly string[], string]> = [
  // United States
  [[central], '205 251 256 659 938'], // Alabama
  [[central, eastern], '334'], // Alabama; Phenix City keeps Eastern time in practice
  [['America/Anchorage', 'America/Juneau', 'America/Sitka', 'America/Nome', 'America/Yakutat', 'America/Metlakatla', 'America/Adak'], '907'], // Alaska
  [['America/Phoenix'], '480 520 602 623'], // Arizona (no DST)
  [['America/Phoenix', mountain], '928'], // Arizona; the Navajo Nation keeps DST
  [[central], '327 479 501 870'], // Arkansas
  [
    [pacific],
    '209 213 279 310 323 341 350 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 820 831 840 858 909 916 925 949 951',
  ], // California
  [[mountain], '303 719 720 970 983'], // Colorado
  [[eastern], '203 475 860 959'], // Connecticut
  [[eastern], '302'], // Delaware
  [[eastern], '202 771'], // District of Columbia
  [[eastern], '239 305 321 352 386 407 561 656 689 727 754 772 786 813 863 904 941 954'], // Florida
  [[eastern, central], '448 850'], // Florida panhandle: west of the Apalachicola is Central
  [[eastern], '229 404 470 478 678 706 762 770 912 943'], // Georgia
  [['Pacific/Honolulu'], '808'], // Hawaii
  [['America/Boise', pacific], '208 986'], // Idaho: the panhandle is Pacific
  [[central], '217 224 309 312 331 447 464 618 630 708 730 773 779 815 847 872'], // Illinois
  [['America/Indiana/Indianapolis'], '260 317 463 765'], // Indiana (Eastern part)
  [['America/Indiana/Indianapolis', central], '219 574 812 930'], // Indiana: NW and SW corners are Central
  [[central], '319 515 563 641 712'], // Iowa
  [[central], '316 913'], // Kansas
  [[central, mountain], '620 785'], // Kansas: four western counties are Mountain
  [['America/Kentucky/Louisville'], '502'], // Kentucky
  [[eastern], '606 859'], // Kentucky (Eastern part)
  [[central, eastern], '270 364'], // Kentucky: western half is Central
  [[central], '225 318 337 504 985'], // Louisiana
  [[eastern], '207'], // Maine
  [[eastern], '227 240 301 410 443 667'], // Maryland
  [[eastern], '339 351 413 508 617 774 781 857 978'], // Massachusetts
  [['America/Detroit'], '231 248 269 313 517 586 616 679 734 810 947 989'], // Michigan
  [['America/Detroit', 'America/Menominee'], '906'], // Michigan's Upper Peninsula: four counties are Central
  [[central], '218 320 507 612 651 763 952'], // Minnesota
  [[central], '228 601 662 769'], // Mississippi
  [[central], '235 314 417 557 573 636 660 816 975'], // Missouri
  [[mountain], '406'], // Montana
  [[central], '402 531'], // Nebraska
  [[central, mountain], '308'], // Nebraska: the west is Mountain
  [[pacific], '702 725'], // Nevada
  [[pacific, mountain], '775'], // Nevada: West Wendover is Mountain
  [[eastern], '603'], // New Hampshire
  [[eastern], '201 551 609 640 732 848 856 862 908 973'], // New Jersey
  [[mountain], '505 575'], // New Mexico
  [[eastern], '212 315 332 347 363 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934'], // New York
  [[eastern], '252 336 704 743 828 910 919 980 984'], // North Carolina
  [[central, mountain], '701'], // North Dakota: the south-west is Mountain
  [[eastern], '216 220 234 326 330 380 419 440 513 567 614 740 937'], // Ohio
  [[central], '405 539 572 580 918'], // Oklahoma
  [[pacific], '503 971'], // Oregon
  [[pacific, 'America/Boise'], '458 541'], // Oregon: Malheur County is Mountain
  [[eastern], '215 223 267 272 412 445 484 570 582 610 717 724 814 878'], // Pennsylvania
  [[eastern], '401'], // Rhode Island
  [[eastern], '803 839 843 854 864'], // South Carolina
  [[central, mountain], '605'], // South Dakota: the west is Mountain
  [[eastern], '865'], // Tennessee (East)
  [[eastern, central], '423 931'], // Tennessee: these span the Eastern/Central line
  [[central], '615 629 731 901'], // Tennessee (Middle and West)
  [[central], '210 214 254 281 325 346 361 409 430 469 512 682 713 726 737 806 817 830 832 903 936 940 945 956 972 979'], // Texas
  [[mountain], '915'], // Texas: El Paso
  [[central, mountain], '432'], // Texas: Hudspeth and Culberson counties are Mountain
  [[mountain], '385 435 801'], // Utah
  [[eastern], '802'], // Vermont
  [[eastern], '276 434 540 571 686 703 757 804 826 948'], // Virginia
  [[pacific], '206 253 360 425 509 564'], // Washington
  [[eastern], '304 681'], // West Virginia
  [[central], '262 414 534 608 715 920'], // Wisconsin
  [[mountain], '307'], // Wyoming
  // Canada
  [['America/Edmonton'], '368 403 587 780 825'], // Alberta
  [['America/Vancouver'], '604'], // British Columbia (Lower Mainland)
  [['America/Vancouver', 'America/Edmonton', 'America/Creston', 'America/Dawson_Creek', 'America/Fort_Nelson'], '236 250 672 778'], // British Columbia: the east is Mountain, parts without DST
  [['America/Winnipeg'], '204 431 584'], // Manitoba
  [['America/Moncton'], '428 506'], // New Brunswick
  [['America/St_Johns', 'America/Goose_Bay'], '709 879'], // Newfoundland and Labrador
  [['America/Halifax'], '782 902'], // Nova Scotia and Prince Edward Island
  [['America/Toronto'], '226 249 289 343 365 382 416 437 519 548 613 647 683 705 742 753 905 942'], // Ontario
  [['America/Toronto', 'America/Winnipeg', 'America/Atikokan'], '807'], // Northwestern Ontario
  [['America/Toronto'], '263 354 438 450 468 514 579 819 873'], // Quebec
  [['America/Toronto', 'America/Halifax', 'America/Blanc-Sablon'], '367 418 581'], // Eastern Quebec: Magdalen Islands, Lower North Shore
  [['America/Regina', 'America/Edmonton'], '306 474 639'], // Saskatchewan; Lloydminster keeps Alberta time
  [
    [
      'America/Whitehorse',
      'America/Dawson',
      'America/Inuvik',
      'America/Edmonton',
      'America/Cambridge_Bay',
      'America/Rankin_Inlet',
      'America/Resolute',
      'America/Iqaluit',
    ],
    '867',
  ], // Yukon, Northwest Territories, Nunavut
];

/** NANP area code (3 digits) -> IANA zones, for US and Canadian numbers. */
export const NANP_AREA_CODE_ZONES: ReadonlyMap<string, readonly string[]> = new Map(
  nanpLines.flatMap(([zones, codes]) => codes.split(' ').map((code) => [code, zones] as const)),
);

/** ISO 3166 country -> its IANA zones (tzdata zone.tab). */
export const COUNTRY_ZONES: Readonly<Record<string, readonly string[]>> = {
  // Not in zone.tab, but regions libphonenumber-js numbers can belong to: Ascension (AC) and Tristan da
  // Cunha (TA) are parts of ISO's SH; Kosovo (XK) has a user-assigned code and keeps Central European time.
  AC: ['Atlantic/St_Helena'],
  TA: ['Atlantic/St_Helena'],
  XK: ['Europe/Belgrade'],
  AD: ['Europe/Andorra'],
  AE: ['Asia/Dubai'],
  AF: ['Asia/Kabul'],
  AG: ['America/Antigua'],
  AI: ['America/Anguilla'],
  AL: ['Europe/Tirane'],
  AM: ['Asia/Yerevan'],
  AO: ['Africa/Luanda'],
  AQ: [
    'Antarctica/McMurdo',
    'Antarctica/Casey',
    'Antarctica/Davis',
    'Antarctica/DumontDUrville',
    'Antarctica/Mawson',
    'Antarctica/Palmer',
    'Antarctica/Rothera',
    'Antarctica/Syowa',
    'Antarctica/Troll',
    'Antarctica/Vostok',
  ],
  AR: [
    'America/Argentina/Buenos_Aires',
    'America/Argentina/Cordoba',
    'America/Argentina/Salta',
    'America/Argentina/Jujuy',
    'America/Argentina/Tucuman',
    'America/Argentina/Catamarca',
    'America/Argentina/La_Rioja',
    'America/Argentina/San_Juan',
    'America/Argentina/Mendoza',
    'America/Argentina/San_Luis',
    'America/Argentina/Rio_Gallegos',
    'America/Argentina/Ushuaia',
  ],
  AS: ['Pacific/Pago_Pago'],
  AT: ['Europe/Vienna'],
  AU: [
    'Australia/Lord_Howe',
    'Antarctica/Macquarie',
    'Australia/Hobart',
    'Australia/Melbourne',
    'Australia/Sydney',
    'Australia/Broken_Hill',
    'Australia/Brisbane',
    'Australia/Lindeman',
    'Australia/Adelaide',
    'Australia/Darwin',
    'Australia/Perth',
    'Australia/Eucla',
  ],
  AW: ['America/Aruba'],
  AX: ['Europe/Mariehamn'],
  AZ: ['Asia/Baku'],
  BA: ['Europe/Sarajevo'],
  BB: ['America/Barbados'],
  BD: ['Asia/Dhaka'],
  BE: ['Europe/Brussels'],
  BF: ['Africa/Ouagadougou'],
  BG: ['Europe/Sofia'],
  BH: ['Asia/Bahrain'],
  BI: ['Africa/Bujumbura'],
  BJ: ['Africa/Porto-Novo'],
  BL: ['America/St_Barthelemy'],
  BM: ['Atlantic/Bermuda'],
  BN: ['Asia/Brunei'],
  BO: ['America/La_Paz'],
  BQ: ['America/Kralendijk'],
  BR: [
    'America/Noronha',
    'America/Belem',
    'America/Fortaleza',
    'America/Recife',
    'America/Araguaina',
    'America/Maceio',
    'America/Bahia',
    'America/Sao_Paulo',
    'America/Campo_Grande',
    'America/Cuiaba',
    'America/Santarem',
    'America/Porto_Velho',
    'America/Boa_Vista',
    'America/Manaus',
    'America/Eirunepe',
    'America/Rio_Branco',
  ],
  BS: ['America/Nassau'],
  BT: ['Asia/Thimphu'],
  BW: ['Africa/Gaborone'],
  BY: ['Europe/Minsk'],
  BZ: ['America/Belize'],
  CA: [
    'America/St_Johns',
    'America/Halifax',
    'America/Glace_Bay',
    'America/Moncton',
    'America/Goose_Bay',
    'America/Blanc-Sablon',
    'America/Toronto',
    'America/Iqaluit',
    'America/Atikokan',
    'America/Winnipeg',
    'America/Resolute',
    'America/Rankin_Inlet',
    'America/Regina',
    'America/Swift_Current',
    'America/Edmonton',
    'America/Cambridge_Bay',
    'America/Inuvik',
    'America/Creston',
    'America/Dawson_Creek',
    'America/Fort_Nelson',
    'America/Whitehorse',
    'America/Dawson',
    'America/Vancouver',
  ],
  CC: ['Indian/Cocos'],
  CD: ['Africa/Kinshasa', 'Africa/Lubumbashi'],
  CF: ['Africa/Bangui'],
  CG: ['Africa/Brazzaville'],
  CH: ['Europe/Zurich'],
  CI: ['Africa/Abidjan'],
  CK: ['Pacific/Rarotonga'],
  CL: ['America/Santiago', 'America/Coyhaique', 'America/Punta_Arenas', 'Pacific/Easter'],
  CM: ['Africa/Douala'],
  CN: ['Asia/Shanghai', 'Asia/Urumqi'],
  CO: ['America/Bogota'],
  CR: ['America/Costa_Rica'],
  CU: ['America/Havana'],
  CV: ['Atlantic/Cape_Verde'],
  CW: ['America/Curacao'],
  CX: ['Indian/Christmas'],
  CY: ['Asia/Nicosia', 'Asia/Famagusta'],
  CZ: ['Europe/Prague'],
  DE: ['Europe/Berlin', 'Europe/Busingen'],
  DJ: ['Africa/Djibouti'],
  DK: ['Europe/Copenhagen'],
  DM: ['America/Dominica'],
  DO: ['America/Santo_Domingo'],
  DZ: ['Africa/Algiers'],
  EC: ['America/Guayaquil', 'Pacific/Galapagos'],
  EE: ['Europe/Tallinn'],
  EG: ['Africa/Cairo'],
  EH: ['Africa/El_Aaiun'],
  ER: ['Africa/Asmara'],
  ES: ['Europe/Madrid', 'Africa/Ceuta', 'Atlantic/Canary'],
  ET: ['Africa/Addis_Ababa'],
  FI: ['Europe/Helsinki'],
  FJ: ['Pacific/Fiji'],
  FK: ['Atlantic/Stanley'],
  FM: ['Pacific/Chuuk', 'Pacific/Pohnpei', 'Pacific/Kosrae'],
  FO: ['Atlantic/Faroe'],
  FR: ['Europe/Paris'],
  GA: ['Africa/Libreville'],
  GB: ['Europe/London'],
  GD: ['America/Grenada'],
  GE: ['Asia/Tbilisi'],
  GF: ['America/Cayenne'],
  GG: ['Europe/Guernsey'],
  GH: ['Africa/Accra'],
  GI: ['Europe/Gibraltar'],
  GL: ['America/Nuuk', 'America/Danmarkshavn', 'America/Scoresbysund', 'America/Thule'],
  GM: ['Africa/Banjul'],
  GN: ['Africa/Conakry'],
  GP: ['America/Guadeloupe'],
  GQ: ['Africa/Malabo'],
  GR: ['Europe/Athens'],
  GS: ['Atlantic/South_Georgia'],
  GT: ['America/Guatemala'],
  GU: ['Pacific/Guam'],
  GW: ['Africa/Bissau'],
  GY: ['America/Guyana'],
  HK: ['Asia/Hong_Kong'],
  HN: ['America/Tegucigalpa'],
  HR: ['Europe/Zagreb'],
  HT: ['America/Port-au-Prince'],
  HU: ['Europe/Budapest'],
  ID: ['Asia/Jakarta', 'Asia/Pontianak', 'Asia/Makassar', 'Asia/Jayapura'],
  IE: ['Europe/Dublin'],
  IL: ['Asia/Jerusalem'],
  IM: ['Europe/Isle_of_Man'],
  IN: ['Asia/Kolkata'],
  IO: ['Indian/Chagos'],
  IQ: ['Asia/Baghdad'],
  IR: ['Asia/Tehran'],
  IS: ['Atlantic/Reykjavik'],
  IT: ['Europe/Rome'],
  JE: ['Europe/Jersey'],
  JM: ['America/Jamaica'],
  JO: ['Asia/Amman'],
  JP: ['Asia/Tokyo'],
  KE: ['Africa/Nairobi'],
  KG: ['Asia/Bishkek'],
  KH: ['Asia/Phnom_Penh'],
  KI: ['Pacific/Tarawa', 'Pacific/Kanton', 'Pacific/Kiritimati'],
  KM: ['Indian/Comoro'],
  KN: ['America/St_Kitts'],
  KP: ['Asia/Pyongyang'],
  KR: ['Asia/Seoul'],
  KW: ['Asia/Kuwait'],
  KY: ['America/Cayman'],
  KZ: ['Asia/Almaty', 'Asia/Qyzylorda', 'Asia/Qostanay', 'Asia/Aqtobe', 'Asia/Aqtau', 'Asia/Atyrau', 'Asia/Oral'],
  LA: ['Asia/Vientiane'],
  LB: ['Asia/Beirut'],
  LC: ['America/St_Lucia'],
  LI: ['Europe/Vaduz'],
  LK: ['Asia/Colombo'],
  LR: ['Africa/Monrovia'],
  LS: ['Africa/Maseru'],
  LT: ['Europe/Vilnius'],
  LU: ['Europe/Luxembourg'],
  LV: ['Europe/Riga'],
  LY: ['Africa/Tripoli'],
  MA: ['Africa/Casablanca'],
  MC: ['Europe/Monaco'],
  MD: ['Europe/Chisinau'],
  ME: ['Europe/Podgorica'],
  MF: ['America/Marigot'],
  MG: ['Indian/Antananarivo'],
  MH: ['Pacific/Majuro', 'Pacific/Kwajalein'],
  MK: ['Europe/Skopje'],
  ML: ['Africa/Bamako'],
  MM: ['Asia/Yangon'],
  MN: ['Asia/Ulaanbaatar', 'Asia/Hovd'],
  MO: ['Asia/Macau'],
  MP: ['Pacific/Saipan'],
  MQ: ['America/Martinique'],
  MR: ['Africa/Nouakchott'],
  MS: ['America/Montserrat'],
  MT: ['Europe/Malta'],
  MU: ['Indian/Mauritius'],
  MV: ['Indian/Maldives'],
  MW: ['Africa/Blantyre'],
  MX: [
    'America/Mexico_City',
    'America/Cancun',
    'America/Merida',
    'America/Monterrey',
    'America/Matamoros',
    'America/Chihuahua',
    'America/Ciudad_Juarez',
    'America/Ojinaga',
    'America/Mazatlan',
    'America/Bahia_Banderas',
    'America/Hermosillo',
    'America/Tijuana',
  ],
  MY: ['Asia/Kuala_Lumpur', 'Asia/Kuching'],
  MZ: ['Africa/Maputo'],
  NA: ['Africa/Windhoek'],
  NC: ['Pacific/Noumea'],
  NE: ['Africa/Niamey'],
  NF: ['Pacific/Norfolk'],
  NG: ['Africa/Lagos'],
  NI: ['America/Managua'],
  NL: ['Europe/Amsterdam'],
  NO: ['Europe/Oslo'],
  NP: ['Asia/Kathmandu'],
  NR: ['Pacific/Nauru'],
  NU: ['Pacific/Niue'],
  NZ: ['Pacific/Auckland', 'Pacific/Chatham'],
  OM: ['Asia/Muscat'],
  PA: ['America/Panama'],
  PE: ['America/Lima'],
  PF: ['Pacific/Tahiti', 'Pacific/Marquesas', 'Pacific/Gambier'],
  PG: ['Pacific/Port_Moresby', 'Pacific/Bougainville'],
  PH: ['Asia/Manila'],
  PK: ['Asia/Karachi'],
  PL: ['Europe/Warsaw'],
  PM: ['America/Miquelon'],
  PN: ['Pacific/Pitcairn'],
  PR: ['America/Puerto_Rico'],
  PS: ['Asia/Gaza', 'Asia/Hebron'],
  PT: ['Europe/Lisbon', 'Atlantic/Madeira', 'Atlantic/Azores'],
  PW: ['Pacific/Palau'],
  PY: ['America/Asuncion'],
  QA: ['Asia/Qatar'],
  RE: ['Indian/Reunion'],
  RO: ['Europe/Bucharest'],
  RS: ['Europe/Belgrade'],
  RU: [
    'Europe/Kaliningrad',
    'Europe/Moscow',
    'Europe/Kirov',
    'Europe/Volgograd',
    'Europe/Astrakhan',
    'Europe/Saratov',
    'Europe/Ulyanovsk',
    'Europe/Samara',
    'Asia/Yekaterinburg',
    'Asia/Omsk',
    'Asia/Novosibirsk',
    'Asia/Barnaul',
    'Asia/Tomsk',
    'Asia/Novokuznetsk',
    'Asia/Krasnoyarsk',
    'Asia/Irkutsk',
    'Asia/Chita',
    'Asia/Yakutsk',
    'Asia/Khandyga',
    'Asia/Vladivostok',
    'Asia/Ust-Nera',
    'Asia/Magadan',
    'Asia/Sakhalin',
    'Asia/Srednekolymsk',
    'Asia/Kamchatka',
    'Asia/Anadyr',
  ],
  RW: ['Africa/Kigali'],
  SA: ['Asia/Riyadh'],
  SB: ['Pacific/Guadalcanal'],
  SC: ['Indian/Mahe'],
  SD: ['Africa/Khartoum'],
  SE: ['Europe/Stockholm'],
  SG: ['Asia/Singapore'],
  SH: ['Atlantic/St_Helena'],
  SI: ['Europe/Ljubljana'],
  SJ: ['Arctic/Longyearbyen'],
  SK: ['Europe/Bratislava'],
  SL: ['Africa/Freetown'],
  SM: ['Europe/San_Marino'],
  SN: ['Africa/Dakar'],
  SO: ['Africa/Mogadishu'],
  SR: ['America/Paramaribo'],
  SS: ['Africa/Juba'],
  ST: ['Africa/Sao_Tome'],
  SV: ['America/El_Salvador'],
  SX: ['America/Lower_Princes'],
  SY: ['Asia/Damascus'],
  SZ: ['Africa/Mbabane'],
  TC: ['America/Grand_Turk'],
  TD: ['Africa/Ndjamena'],
  TF: ['Indian/Kerguelen'],
  TG: ['Africa/Lome'],
  TH: ['Asia/Bangkok'],
  TJ: ['Asia/Dushanbe'],
  TK: ['Pacific/Fakaofo'],
  TL: ['Asia/Dili'],
  TM: ['Asia/Ashgabat'],
  TN: ['Africa/Tunis'],
  TO: ['Pacific/Tongatapu'],
  TR: ['Europe/Istanbul'],
  TT: ['America/Port_of_Spain'],
  TV: ['Pacific/Funafuti'],
  TW: ['Asia/Taipei'],
  TZ: ['Africa/Dar_es_Salaam'],
  UA: ['Europe/Simferopol', 'Europe/Kyiv'],
  UG: ['Africa/Kampala'],
  UM: ['Pacific/Midway', 'Pacific/Wake'],
  US: [
    'America/New_York',
    'America/Detroit',
    'America/Kentucky/Louisville',
    'America/Kentucky/Monticello',
    'America/Indiana/Indianapolis',
    'America/Indiana/Vincennes',
    'America/Indiana/Winamac',
    'America/Indiana/Marengo',
    'America/Indiana/Petersburg',
    'America/Indiana/Vevay',
    'America/Chicago',
    'America/Indiana/Tell_City',
    'America/Indiana/Knox',
    'America/Menominee',
    'America/North_Dakota/Center',
    'America/North_Dakota/New_Salem',
    'America/North_Dakota/Beulah',
    'America/Denver',
    'America/Boise',
    'America/Phoenix',
    'America/Los_Angeles',
    'America/Anchorage',
    'America/Juneau',
    'America/Sitka',
    'America/Metlakatla',
    'America/Yakutat',
    'America/Nome',
    'America/Adak',
    'Pacific/Honolulu',
  ],
  UY: ['America/Montevideo'],
  UZ: ['Asia/Samarkand', 'Asia/Tashkent'],
  VA: ['Europe/Vatican'],
  VC: ['America/St_Vincent'],
  VE: ['America/Caracas'],
  VG: ['America/Tortola'],
  VI: ['America/St_Thomas'],
  VN: ['Asia/Ho_Chi_Minh'],
  VU: ['Pacific/Efate'],
  WF: ['Pacific/Wallis'],
  WS: ['Pacific/Apia'],
  YE: ['Asia/Aden'],
  YT: ['Indian/Mayotte'],
  ZA: ['Africa/Johannesburg'],
  ZM: ['Africa/Lusaka'],
  ZW: ['Africa/Harare'],
};
