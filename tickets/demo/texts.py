"""Demo message texts: buyer messages, agent replies and internal notes, in the buyers' languages."""

BUYER_TEXTS = {
    "where_is": {
        "en": "Hello, I ordered the {item} ({order}) weeks ago and it still hasn't arrived. Tracking {tracking} has "
              "not moved for 10 days. Where is my parcel?",
        "ru": "Здравствуйте! Заказ {order} ({item}) до сих пор не пришёл. Трек-номер {tracking} не обновляется уже "
              "10 дней. Где моя посылка?",
        "es": "Hola, mi pedido {order} ({item}) todavía no ha llegado. El seguimiento {tracking} no se actualiza "
              "desde hace 10 días. ¿Dónde está mi paquete?",
        "fr": "Bonjour, ma commande {order} ({item}) n'est toujours pas arrivée. Le suivi {tracking} ne bouge plus "
              "depuis 10 jours. Où est mon colis ?",
        "pt": "Olá, meu pedido {order} ({item}) ainda não chegou. O rastreio {tracking} não atualiza há 10 dias. "
              "Onde está a minha encomenda?",
        "de": "Hallo, meine Bestellung {order} ({item}) ist immer noch nicht angekommen. Die Sendungsverfolgung "
              "{tracking} zeigt seit 10 Tagen nichts Neues. Wo ist mein Paket?",
        "pl": "Dzień dobry, moje zamówienie {order} ({item}) wciąż nie dotarło. Numer śledzenia {tracking} nie "
              "zmienia się od 10 dni. Gdzie jest moja paczka?",
        "ko": "안녕하세요. 주문 {order} ({item})이 아직 도착하지 않았습니다. 운송장 번호 {tracking}가 10일째 "
              "업데이트되지 않아요. 제 택배는 어디에 있나요?",
        "it": "Buongiorno, il mio ordine {order} ({item}) non è ancora arrivato. Il tracciamento {tracking} è fermo "
              "da 10 giorni. Dov'è il mio pacco?",
        "nl": "Hallo, mijn bestelling {order} ({item}) is nog steeds niet aangekomen. De tracking {tracking} staat "
              "al 10 dagen stil. Waar is mijn pakket?",
    },
    "customs": {
        "en": "My parcel {tracking} is stuck at customs and they ask me to pay import tax. Nobody told me about "
              "this. What should I do?",
        "ru": "Моя посылка {tracking} застряла на таможне, с меня требуют пошлину. Меня об этом никто не "
              "предупредил. Что делать?",
        "es": "Mi paquete {tracking} está retenido en aduana y me piden pagar impuestos. Nadie me avisó. ¿Qué hago?",
        "fr": "Mon colis {tracking} est bloqué en douane et on me demande de payer des taxes. Personne ne m'a "
              "prévenu. Que dois-je faire ?",
        "pt": "Minha encomenda {tracking} está retida na alfândega e estão cobrando imposto. Ninguém me avisou. "
              "O que devo fazer?",
        "de": "Mein Paket {tracking} hängt beim Zoll fest und ich soll Einfuhrabgaben zahlen. Davon stand nichts "
              "in der Beschreibung. Was soll ich tun?",
        "pl": "Moja paczka {tracking} utknęła w urzędzie celnym i żądają ode mnie cła. Nikt mnie o tym nie "
              "poinformował. Co mam zrobić?",
        "ko": "택배 {tracking}가 세관에 묶여 있고 관세를 내라고 합니다. 이런 안내는 없었어요. 어떻게 해야 하나요?",
        "it": "Il mio pacco {tracking} è bloccato in dogana e mi chiedono di pagare i dazi. Nessuno mi aveva "
              "avvisato. Cosa devo fare?",
        "nl": "Mijn pakket {tracking} zit vast bij de douane en ik moet invoerrechten betalen. Dat stond nergens. "
              "Wat moet ik doen?",
    },
    "damaged": {
        "en": "The {item} from order {order} arrived broken, the box was crushed. I attached photos. Please help.",
        "ru": "Товар «{item}» из заказа {order} пришёл разбитым, коробка была смята. Фото прикрепил. Помогите, "
              "пожалуйста.",
        "es": "El artículo «{item}» del pedido {order} llegó roto, la caja estaba aplastada. Adjunto fotos. Por "
              "favor, ayúdenme.",
        "fr": "L'article « {item} » de la commande {order} est arrivé cassé, le carton était écrasé. Je joins des "
              "photos. Merci de m'aider.",
        "pt": "O produto \"{item}\" do pedido {order} chegou quebrado, a caixa estava amassada. Enviei fotos. Por "
              "favor, me ajudem.",
        "de": "Der Artikel „{item}“ aus Bestellung {order} kam kaputt an, der Karton war eingedrückt. Fotos hänge "
              "ich an. Bitte helfen Sie mir.",
        "pl": "Produkt „{item}” z zamówienia {order} przyszedł uszkodzony, karton był zgnieciony. Załączam "
              "zdjęcia. Proszę o pomoc.",
        "ko": "주문 {order}의 상품 '{item}'이(가) 파손된 상태로 도착했습니다. 상자가 찌그러져 있었어요. 사진 "
              "첨부합니다. 도와주세요.",
        "it": "L'articolo «{item}» dell'ordine {order} è arrivato rotto, la scatola era schiacciata. Allego le "
              "foto. Aiutatemi, per favore.",
        "nl": "Het artikel '{item}' uit bestelling {order} kwam kapot aan, de doos was ingedeukt. Foto's heb ik "
              "bijgevoegd. Kunt u mij helpen?",
    },
    "wrong_item": {
        "en": "I ordered the {item} but received a different colour, and the size is not as in the description. "
              "Order {order}.",
        "ru": "Я заказывал «{item}», но пришёл другой цвет, и размер не соответствует описанию. Заказ {order}.",
        "es": "Pedí «{item}» pero recibí otro color y el tamaño no coincide con la descripción. Pedido {order}.",
        "fr": "J'ai commandé « {item} » mais j'ai reçu une autre couleur et la taille ne correspond pas à la "
              "description. Commande {order}.",
        "pt": "Comprei \"{item}\" mas recebi outra cor e o tamanho não é o da descrição. Pedido {order}.",
        "de": "Ich habe „{item}“ bestellt, aber eine andere Farbe bekommen, und die Größe stimmt nicht mit der "
              "Beschreibung überein. Bestellung {order}.",
        "pl": "Zamówiłem „{item}”, ale dostałem inny kolor, a rozmiar nie zgadza się z opisem. Zamówienie {order}.",
        "ko": "'{item}'을(를) 주문했는데 다른 색상이 왔고 크기도 설명과 다릅니다. 주문번호 {order}.",
        "it": "Ho ordinato «{item}» ma ho ricevuto un altro colore e la misura non corrisponde alla descrizione. "
              "Ordine {order}.",
        "nl": "Ik heb '{item}' besteld, maar kreeg een andere kleur en de maat klopt niet met de beschrijving. "
              "Bestelling {order}.",
    },
    "refund_request": {
        "en": "I want to return the {item} and get a full refund for order {order}. It does not work at all.",
        "ru": "Хочу вернуть «{item}» и получить полный возврат денег за заказ {order}. Товар вообще не работает.",
        "es": "Quiero devolver «{item}» y recibir el reembolso completo del pedido {order}. No funciona en absoluto.",
        "fr": "Je veux retourner « {item} » et être remboursé intégralement pour la commande {order}. Il ne "
              "fonctionne pas du tout.",
        "pt": "Quero devolver \"{item}\" e receber o reembolso total do pedido {order}. Não funciona de jeito "
              "nenhum.",
        "de": "Ich möchte „{item}“ zurückschicken und den vollen Betrag für Bestellung {order} erstattet bekommen. "
              "Es funktioniert überhaupt nicht.",
        "pl": "Chcę zwrócić „{item}” i otrzymać pełny zwrot pieniędzy za zamówienie {order}. W ogóle nie działa.",
        "ko": "'{item}'을(를) 반품하고 주문 {order}에 대해 전액 환불받고 싶습니다. 전혀 작동하지 않아요.",
        "it": "Voglio restituire «{item}» e ottenere il rimborso completo dell'ordine {order}. Non funziona per "
              "niente.",
        "nl": "Ik wil '{item}' retourneren en het volledige bedrag van bestelling {order} terugkrijgen. Het werkt "
              "helemaal niet.",
    },
    "review_threat": {
        "en": "This is the third time I write! If I don't get my money back today I will leave a 1-star review and "
              "call my bank. Order {order}.",
        "ru": "Пишу уже третий раз! Если сегодня не вернёте деньги, оставлю отзыв на 1 звезду и обращусь в банк. "
              "Заказ {order}.",
        "es": "¡Es la tercera vez que escribo! Si hoy no me devuelven el dinero dejaré una reseña de 1 estrella y "
              "reclamaré al banco. Pedido {order}.",
        "fr": "C'est la troisième fois que j'écris ! Si je ne suis pas remboursé aujourd'hui, je laisse un avis 1 "
              "étoile et je contacte ma banque. Commande {order}.",
        "pt": "É a terceira vez que escrevo! Se não devolverem meu dinheiro hoje vou deixar avaliação de 1 estrela "
              "e abrir reclamação no banco. Pedido {order}.",
        "de": "Ich schreibe jetzt zum dritten Mal! Wenn ich heute nicht mein Geld zurückbekomme, gibt es eine "
              "1-Stern-Bewertung und ich schalte meinen Anwalt ein. Bestellung {order}.",
        "pl": "Piszę już trzeci raz! Jeśli dziś nie oddacie pieniędzy, wystawię ocenę 1 gwiazdka i zgłoszę sprawę "
              "do banku. Zamówienie {order}.",
        "ko": "벌써 세 번째 문의입니다! 오늘 환불해 주지 않으면 별점 1점 리뷰를 남기고 카드사에 신고하겠습니다. "
              "주문 {order}.",
        "it": "È la terza volta che scrivo! Se oggi non mi rimborsate lascio una recensione da 1 stella e mi "
              "rivolgo alla banca. Ordine {order}.",
        "nl": "Dit is de derde keer dat ik schrijf! Als ik vandaag mijn geld niet terugkrijg, geef ik 1 ster en "
              "neem ik contact op met mijn bank. Bestelling {order}.",
    },
    "address_change": {
        "en": "Hi, can I still change the delivery address for order {order}? I moved last week.",
        "ru": "Здравствуйте, можно ли ещё изменить адрес доставки для заказа {order}? Я переехал на прошлой неделе.",
        "es": "Hola, ¿todavía puedo cambiar la dirección de entrega del pedido {order}? Me mudé la semana pasada.",
        "fr": "Bonjour, puis-je encore modifier l'adresse de livraison de la commande {order} ? J'ai déménagé la "
              "semaine dernière.",
        "pt": "Oi, ainda posso mudar o endereço de entrega do pedido {order}? Me mudei semana passada.",
        "de": "Hallo, kann ich die Lieferadresse für Bestellung {order} noch ändern? Ich bin letzte Woche umgezogen.",
        "pl": "Dzień dobry, czy mogę jeszcze zmienić adres dostawy zamówienia {order}? W zeszłym tygodniu się "
              "przeprowadziłem.",
        "ko": "안녕하세요, 주문 {order}의 배송 주소를 아직 변경할 수 있나요? 지난주에 이사했습니다.",
        "it": "Ciao, posso ancora cambiare l'indirizzo di consegna dell'ordine {order}? Mi sono trasferito la "
              "settimana scorsa.",
        "nl": "Hoi, kan ik het bezorgadres van bestelling {order} nog wijzigen? Ik ben vorige week verhuisd.",
    },
    "thanks": {
        "en": "Received the {item} today, works great. Thank you!",
        "ru": "Получил «{item}» сегодня, всё отлично работает. Спасибо!",
        "es": "Hoy recibí «{item}», funciona perfecto. ¡Gracias!",
        "fr": "Reçu « {item} » aujourd'hui, ça marche très bien. Merci !",
        "pt": "Recebi \"{item}\" hoje, funciona muito bem. Obrigado!",
        "de": "Heute „{item}“ erhalten, funktioniert super. Danke!",
        "pl": "Dziś dotarł „{item}”, działa świetnie. Dziękuję!",
        "ko": "오늘 '{item}' 받았어요. 아주 잘 작동합니다. 감사합니다!",
        "it": "Ricevuto «{item}» oggi, funziona benissimo. Grazie!",
        "nl": "Vandaag '{item}' ontvangen, werkt prima. Bedankt!",
    },
    "follow_up": {
        "en": "Thanks for your answer. Is there any news?",
        "ru": "Спасибо за ответ. Есть новости?",
        "es": "Gracias por la respuesta. ¿Hay novedades?",
        "fr": "Merci pour votre réponse. Y a-t-il du nouveau ?",
        "pt": "Obrigado pela resposta. Alguma novidade?",
        "de": "Danke für die Antwort. Gibt es etwas Neues?",
        "pl": "Dziękuję za odpowiedź. Czy są jakieś nowości?",
        "ko": "답변 감사합니다. 새로운 소식이 있나요?",
        "it": "Grazie per la risposta. Ci sono novità?",
        "nl": "Bedankt voor uw antwoord. Is er al nieuws?",
    },
}
# Agent replies in the buyer's language, each with the three parts of a fast, concrete
# answer: the problem restated, a concrete solution, an action and a time.
REPLY_TEXTS = {
    "logistics": {
        "en": "Dear {name}, thank you for your patience with order {order}. Your parcel {tracking} is with "
              "{carrier} and we have opened an inquiry with them. We will update you by 17:00 tomorrow; if it is "
              "lost, we will reship it at our cost.",
        "ru": "Здравствуйте, {name}! Спасибо за терпение по заказу {order}. Ваша посылка {tracking} находится у "
              "{carrier}, мы открыли запрос перевозчику. Сообщим новости до 17:00 завтра; если посылка потеряна, "
              "отправим заказ повторно за наш счёт.",
        "es": "Estimado/a {name}, gracias por su paciencia con el pedido {order}. Su paquete {tracking} está con "
              "{carrier} y hemos abierto una reclamación. Le informaremos mañana antes de las 17:00; si se ha "
              "perdido, lo reenviaremos sin coste.",
        "fr": "Bonjour {name}, merci de votre patience concernant la commande {order}. Votre colis {tracking} est "
              "chez {carrier} et nous avons ouvert une enquête. Nous revenons vers vous demain avant 17 h ; s'il "
              "est perdu, nous le renvoyons à nos frais.",
        "pt": "Olá {name}, obrigado pela paciência com o pedido {order}. Sua encomenda {tracking} está com a "
              "{carrier} e abrimos uma investigação. Daremos notícias amanhã até as 17h; se estiver perdida, "
              "reenviamos sem custo.",
        "de": "Hallo {name}, danke für Ihre Geduld mit Bestellung {order}. Ihr Paket {tracking} ist bei {carrier}, "
              "wir haben dort einen Nachforschungsauftrag gestellt. Wir melden uns morgen bis 17 Uhr; ist es "
              "verloren, senden wir kostenlos neu.",
        "pl": "Dzień dobry {name}, dziękujemy za cierpliwość w sprawie zamówienia {order}. Paczka {tracking} jest "
              "u przewoźnika {carrier}, zgłosiliśmy reklamację. Odezwiemy się jutro do 17:00; jeśli zaginęła, "
              "wyślemy ją ponownie na nasz koszt.",
        "ko": "{name}님, 주문 {order} 관련해 기다려 주셔서 감사합니다. 택배 {tracking}는 현재 {carrier}에 있으며 "
              "배송 조회를 요청했습니다. 내일 17시까지 다시 안내드리고, 분실된 경우 무료로 재발송해 드리겠습니다.",
        "it": "Gentile {name}, grazie per la pazienza con l'ordine {order}. Il pacco {tracking} è presso {carrier} e "
              "abbiamo aperto una verifica. La aggiorniamo entro le 17:00 di domani; se è perso, lo rispediamo a "
              "nostre spese.",
        "nl": "Beste {name}, bedankt voor uw geduld met bestelling {order}. Uw pakket {tracking} is bij {carrier} "
              "en we hebben een onderzoek gestart. We laten morgen voor 17:00 van ons horen; is het kwijt, dan "
              "versturen we het gratis opnieuw.",
    },
    "quality": {
        "en": "Dear {name}, we are sorry that the {item} from order {order} arrived like this. We can refund "
              "{amount} now and you keep the item, or send a new one free of charge. Tell us which you prefer and "
              "we will arrange it within 24 hours.",
        "ru": "Здравствуйте, {name}! Нам очень жаль, что «{item}» из заказа {order} пришёл в таком виде. Можем сразу "
              "вернуть {amount}, товар остаётся у вас, или бесплатно отправить новый. Напишите, что вам удобнее, и "
              "мы всё сделаем в течение 24 часов.",
        "es": "Estimado/a {name}, lamentamos que «{item}» del pedido {order} llegara así. Podemos reembolsarle "
              "{amount} ahora y usted se queda el artículo, o enviarle uno nuevo gratis. Díganos qué prefiere y lo "
              "gestionamos en 24 horas.",
        "fr": "Bonjour {name}, nous sommes désolés que « {item} » de la commande {order} soit arrivé ainsi. Nous "
              "pouvons vous rembourser {amount} tout de suite en gardant l'article, ou vous en envoyer un neuf "
              "gratuitement. Dites-nous ce que vous préférez, nous nous en occupons sous 24 h.",
        "pt": "Olá {name}, sentimos muito que \"{item}\" do pedido {order} tenha chegado assim. Podemos reembolsar "
              "{amount} agora e você fica com o produto, ou enviar um novo sem custo. Diga o que prefere e "
              "resolvemos em 24 horas.",
        "de": "Hallo {name}, es tut uns leid, dass „{item}“ aus Bestellung {order} so angekommen ist. Wir erstatten "
              "Ihnen sofort {amount} und Sie behalten den Artikel, oder wir senden kostenlos Ersatz. Sagen Sie uns, "
              "was Ihnen lieber ist; wir erledigen es innerhalb von 24 Stunden.",
        "pl": "Dzień dobry {name}, przykro nam, że „{item}” z zamówienia {order} dotarł w takim stanie. Możemy od "
              "razu zwrócić {amount}, a produkt zostaje u Pana/Pani, albo wysłać nowy bezpłatnie. Prosimy dać znać, "
              "co Pan/Pani wybiera — załatwimy to w 24 godziny.",
        "ko": "{name}님, 주문 {order}의 '{item}'이(가) 이런 상태로 도착해 죄송합니다. 상품은 그대로 두시고 "
              "{amount}를 바로 환불해 드리거나 새 상품을 무료로 보내 드릴 수 있습니다. 원하시는 방법을 알려 "
              "주시면 24시간 안에 처리하겠습니다.",
        "it": "Gentile {name}, ci dispiace che «{item}» dell'ordine {order} sia arrivato così. Possiamo rimborsarle "
              "subito {amount} e l'articolo resta a lei, oppure spedirne uno nuovo gratis. Ci dica cosa preferisce "
              "e provvediamo entro 24 ore.",
        "nl": "Beste {name}, het spijt ons dat '{item}' uit bestelling {order} zo is aangekomen. We kunnen u nu "
              "{amount} terugbetalen en u houdt het artikel, of gratis een nieuw exemplaar sturen. Laat ons weten "
              "wat u wilt; we regelen het binnen 24 uur.",
    },
    "refund": {
        "en": "Dear {name}, we understand your frustration about order {order}. Please open the return on the "
              "order page; as soon as your return tracking number appears we will approve the full refund of "
              "{amount}. We will check your case again today before 18:00.",
        "ru": "Здравствуйте, {name}! Понимаем ваше недовольство заказом {order}. Оформите, пожалуйста, возврат на "
              "странице заказа: как только появится трек-номер возврата, мы одобрим полный возврат {amount}. "
              "Сегодня до 18:00 мы ещё раз проверим ваш случай.",
        "es": "Estimado/a {name}, entendemos su molestia con el pedido {order}. Abra la devolución en la página del "
              "pedido; en cuanto aparezca el número de seguimiento aprobaremos el reembolso completo de {amount}. "
              "Revisaremos su caso hoy antes de las 18:00.",
        "fr": "Bonjour {name}, nous comprenons votre mécontentement pour la commande {order}. Ouvrez le retour "
              "depuis la page de la commande ; dès que le numéro de suivi du retour apparaît, nous validons le "
              "remboursement complet de {amount}. Nous revoyons votre dossier aujourd'hui avant 18 h.",
        "pt": "Olá {name}, entendemos sua insatisfação com o pedido {order}. Abra a devolução na página do pedido; "
              "assim que o código de rastreio aparecer, aprovamos o reembolso total de {amount}. Vamos verificar seu "
              "caso hoje até as 18h.",
        "de": "Hallo {name}, wir verstehen Ihren Ärger über Bestellung {order}. Bitte starten Sie die Rücksendung "
              "auf der Bestellseite; sobald die Sendungsnummer der Rücksendung da ist, erstatten wir die vollen "
              "{amount}. Wir sehen uns Ihren Fall heute vor 18 Uhr noch einmal an.",
        "pl": "Dzień dobry {name}, rozumiemy niezadowolenie z zamówienia {order}. Prosimy zgłosić zwrot na stronie "
              "zamówienia; gdy pojawi się numer śledzenia zwrotu, zatwierdzimy pełny zwrot {amount}. Dziś przed "
              "18:00 ponownie sprawdzimy sprawę.",
        "ko": "{name}님, 주문 {order}에 대해 불편을 드려 죄송합니다. 주문 페이지에서 반품을 신청해 주세요. 반품 "
              "운송장 번호가 확인되는 즉시 {amount} 전액 환불을 승인하겠습니다. 오늘 18시 전에 다시 확인해 "
              "드리겠습니다.",
        "it": "Gentile {name}, comprendiamo il suo disappunto per l'ordine {order}. Apra il reso dalla pagina "
              "dell'ordine; appena compare il tracciamento del reso approviamo il rimborso completo di {amount}. "
              "Ricontrolliamo il suo caso oggi entro le 18:00.",
        "nl": "Beste {name}, we begrijpen uw ergernis over bestelling {order}. Start de retour op de bestelpagina; "
              "zodra de trackingcode van de retour zichtbaar is, keuren we de volledige terugbetaling van {amount} "
              "goed. We bekijken uw zaak vandaag voor 18:00 opnieuw.",
    },
    "address": {
        "en": "Dear {name}, order {order} has not shipped yet, so we have changed the delivery address. You will "
              "get the tracking number within 2 days.",
        "ru": "Здравствуйте, {name}! Заказ {order} ещё не отправлен, поэтому мы изменили адрес доставки. Трек-номер "
              "пришлём в течение 2 дней.",
        "es": "Estimado/a {name}, el pedido {order} aún no se ha enviado, así que hemos cambiado la dirección de "
              "entrega. Recibirá el número de seguimiento en 2 días.",
        "fr": "Bonjour {name}, la commande {order} n'est pas encore expédiée, nous avons donc modifié l'adresse de "
              "livraison. Vous recevrez le numéro de suivi sous 2 jours.",
        "pt": "Olá {name}, o pedido {order} ainda não foi enviado, então alteramos o endereço de entrega. Você "
              "receberá o código de rastreio em até 2 dias.",
        "de": "Hallo {name}, Bestellung {order} ist noch nicht versandt, daher haben wir die Lieferadresse "
              "geändert. Die Sendungsnummer erhalten Sie innerhalb von 2 Tagen.",
        "pl": "Dzień dobry {name}, zamówienie {order} nie zostało jeszcze wysłane, więc zmieniliśmy adres dostawy. "
              "Numer śledzenia prześlemy w ciągu 2 dni.",
        "ko": "{name}님, 주문 {order}는 아직 발송 전이라 배송 주소를 변경해 드렸습니다. 2일 이내에 운송장 번호를 "
              "보내 드리겠습니다.",
        "it": "Gentile {name}, l'ordine {order} non è ancora partito, quindi abbiamo cambiato l'indirizzo di "
              "consegna. Riceverà il tracciamento entro 2 giorni.",
        "nl": "Beste {name}, bestelling {order} is nog niet verzonden, dus we hebben het bezorgadres aangepast. U "
              "ontvangt de trackingcode binnen 2 dagen.",
    },
    "thanks": {
        "en": "Dear {name}, thank you for letting us know! Enjoy your {item}, and write to us any time you need help.",
        "ru": "Здравствуйте, {name}! Спасибо, что написали! Пользуйтесь с удовольствием, а если понадобится помощь — "
              "пишите в любое время.",
        "es": "Estimado/a {name}, ¡gracias por escribirnos! Que disfrute su «{item}»; escríbanos cuando necesite "
              "ayuda.",
        "fr": "Bonjour {name}, merci pour votre message ! Profitez bien de « {item} » et écrivez-nous si vous avez "
              "besoin d'aide.",
        "pt": "Olá {name}, obrigado pelo retorno! Aproveite \"{item}\" e fale conosco quando precisar.",
        "de": "Hallo {name}, vielen Dank für Ihre Nachricht! Viel Freude mit „{item}“ – melden Sie sich jederzeit, "
              "wenn Sie Hilfe brauchen.",
        "pl": "Dzień dobry {name}, dziękujemy za wiadomość! Miłego korzystania z „{item}” — w razie pytań prosimy "
              "pisać.",
        "ko": "{name}님, 소식 전해 주셔서 감사합니다! '{item}' 잘 사용하시고 도움이 필요하면 언제든 연락 주세요.",
        "it": "Gentile {name}, grazie per il messaggio! Si goda «{item}» e ci scriva quando vuole se ha bisogno.",
        "nl": "Beste {name}, bedankt voor uw bericht! Veel plezier met '{item}' en laat het ons weten als u hulp "
              "nodig hebt.",
    },
    "update": {
        "en": "Dear {name}, a quick update on order {order}: we are still on it and will write again tomorrow by "
              "17:00.",
        "ru": "Здравствуйте, {name}! Коротко по заказу {order}: мы продолжаем заниматься вопросом и напишем завтра "
              "до 17:00.",
        "es": "Estimado/a {name}, una breve actualización del pedido {order}: seguimos con ello y le escribiremos "
              "mañana antes de las 17:00.",
        "fr": "Bonjour {name}, un point rapide sur la commande {order} : nous suivons le dossier et vous "
              "récrivons demain avant 17 h.",
        "pt": "Olá {name}, uma atualização rápida do pedido {order}: continuamos acompanhando e escrevemos amanhã "
              "até as 17h.",
        "de": "Hallo {name}, kurzer Zwischenstand zu Bestellung {order}: Wir sind dran und melden uns morgen bis "
              "17 Uhr.",
        "pl": "Dzień dobry {name}, krótka informacja o zamówieniu {order}: nadal się tym zajmujemy i napiszemy "
              "jutro do 17:00.",
        "ko": "{name}님, 주문 {order} 진행 상황입니다. 계속 확인 중이며 내일 17시까지 다시 연락드리겠습니다.",
        "it": "Gentile {name}, un breve aggiornamento sull'ordine {order}: ce ne stiamo occupando e le scriviamo "
              "domani entro le 17:00.",
        "nl": "Beste {name}, een korte update over bestelling {order}: we zijn ermee bezig en schrijven u morgen "
              "voor 17:00.",
    },
}
# Internal notes, written by the (Chinese-speaking) team for each other: (language, text).
NOTE_TEXTS = {
    "logistics": (("zh-Hans", "物流10天以上没有更新，已向{carrier}提交查询，明天17:00前回复买家。"),
                  ("en", "No tracking scan for 10+ days; inquiry opened with {carrier}. Reship if not found by "
                         "Friday.")),
    "quality": (("zh-Hans", "买家发来破损照片，订单金额小，建议直接部分退款，不要求退货。"),
                ("en", "SKU {sku}: third complaint this week about the same defect; reported to QC.")),
    "refund": (("zh-Hans", "敏感消息（退款/差评/拒付威胁），已升级给主管处理。"),
               ("en", "Sensitive: buyer threatens a bad review or a chargeback. Escalated to a senior agent.")),
    "address": (("zh-Hans", "仓库确认还没发货，地址已在ERP里修改。"),
                ("en", "Warehouse confirms it has not shipped; address changed in the ERP.")),
    "thanks": (("en", "Happy buyer; good candidate for a review request after delivery."),),
    "dispute": (("zh-Hans", "纠纷已开：准备物流截图和聊天记录作为证据。"),
                ("en", "Dispute opened: collect the tracking screenshot and the chat export as evidence.")),
}
