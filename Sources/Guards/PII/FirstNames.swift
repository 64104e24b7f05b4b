/// Common first names across the languages Gatehouse serves (English, French, German, Spanish, Dutch,
/// Italian, Portuguese, Nordic, Slavic, Arabic, Indian, East Asian, African), lowercased. Used only
/// together with a capitalised surname or a signature position, never alone in running text.
/// Words that are also common nouns or places in these languages (May, April, Paris, Rose) are left out.
enum FirstNames {
    static let all: Set<String> = Set("""
        james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark donald \
        steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric \
        jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry \
        tyler aaron jose adam nathan henry douglas zachary peter kyle noah ethan jeremy walter christian keith roger terry austin \
        sean gerald carl harold dylan arthur lawrence jordan jesse bryan billy bruce gabriel joe logan albert willie alan eugene \
        russell vincent philip bobby johnny bradley roy ralph randy wayne liam oliver lucas mason elijah aiden tom tim ben sam \
        mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly \
        emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen amy angela \
        shirley anna brenda pamela emma nicole helen samantha katherine christine debra rachel carolyn janet catherine maria \
        heather diane ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl \
        hannah jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail alice judy sophia grace denise \
        amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie kayla alexis lori priya \
        jean-pierre jean-luc pierre jacques michel philippe alain nicolas françois francois laurent stéphane stephane christophe \
        frédéric frederic sébastien sebastien olivier julien antoine guillaume mathieu thierry éric didier bruno yves hugo louis \
        léo leo gabriel raphaël raphael arthur jules lucas théo theo camille manon chloé chloe léa lea inès ines sophie nathalie \
        isabelle sylvie catherine véronique veronique christine sandrine aurélie aurelie céline celine claire julie élodie elodie \
        amélie amelie margaux pauline juliette louise zoé zoe mathilde océane oceane anaïs anais émilie emilie hélène helene \
        aurelie geneviève genevieve brigitte monique françoise francoise martine nadine chantal valérie valerie agnès agnes \
        hans peter jürgen jurgen juergen klaus wolfgang michael thomas andreas stefan stephan frank markus matthias christian \
        uwe dieter günter gunter guenter horst manfred werner helmut bernd ralf jörg jorg joerg tobias florian sebastian jan \
        jonas lukas leon finn felix maximilian paul niklas tim moritz elias ben lars sven dirk heinz karl kurt otto fritz \
        ursula ulrike petra sabine monika gabriele renate karin birgit susanne andrea claudia angelika heike anja nicole stefanie \
        katrin kathrin julia lena lea laura hannah anna mia emma sophie marie leonie johanna greta frieda clara klara ida lina \
        jutta gisela ingrid helga hildegard christa elke silke bettina martina tanja sandra nadine jana svenja vanessa \
        antonio manuel josé jose francisco juan david javier daniel carlos jesús jesus alejandro miguel rafael pablo pedro \
        ángel angel sergio fernando luis jorge alberto álvaro alvaro diego adrián adrian raúl raul enrique ramón ramon vicente \
        andrés andres joaquín joaquin santiago ignacio víctor victor eduardo roberto jaime gonzalo rubén ruben óscar oscar \
        mario marcos iván ivan hugo martín martin alfonso emilio guillermo salvador felipe gustavo ricardo \
        carmen maría josefa isabel ana dolores pilar teresa rosa francisca antonia mercedes lucía lucia cristina paula marta \
        elena laura sara raquel manuela beatriz rocío rocio silvia patricia nuria alba irene andrea julia noelia sonia montserrat \
        inmaculada esther verónica veronica yolanda eva natalia alicia claudia inés ines lorena miriam susana marina \
        daan sem bram lars thijs ruben jesse milan niels bas joost pieter wouter sanne fleur lotte sophie eva anouk lieke \
        femke iris jeroen maarten stijn koen ruud henk willem geert luuk \
        giuseppe giovanni francesco luca marco alessandro andrea matteo lorenzo stefano roberto paolo davide simone federico \
        giulia francesca chiara sofia alessia valentina elisa martina silvia federica \
        joão joao pedro tiago rui nuno ana beatriz inês mariana \
        sven lars erik anders johan nils magnus olof björn bjorn bjørn ole kristian henrik mikkel rasmus anders ingrid astrid \
        sigrid karin annika maja freja linnea elin ebba \
        ivan dmitri dmitry sergei sergey alexei alexey vladimir mikhail nikolai olga natasha natalia tatiana svetlana irina \
        katarzyna agnieszka piotr krzysztof tomasz pawel paweł marek jakub wojciech anna magdalena \
        mohammed muhammad ahmed ali omar hassan hussein youssef yusuf ibrahim mustafa khalid fatima aisha amina leila layla \
        zainab mariam yasmin nour karim rachid samir nadia \
        raj rahul amit arjun vikram sanjay ravi anil sunil ajay rohan aditya priya ananya divya pooja neha sunita lakshmi \
        wei li zhang wang chen liu yang hui jun ming xiao mei ling yuki hiroshi takashi kenji haruto sakura yuna hana \
        kwame kofi ama abena chinedu ngozi oluwaseun adebayo tunde amara zola thabo sipho \
        jordan taylor morgan casey alex chris robin sascha kim
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
}
