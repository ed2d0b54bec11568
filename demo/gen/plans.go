package main

// Regional cells, by name: their shared acronym (CRLTP) names none of them alone.
const (
	tonkpi   = "CRLTP Tonkpi"
	sanPedro = "CRLTP San Pedro"
	gbeke    = "CRLTP Gbêkê"
	nawa     = "CRLTP Nawa"
	indenie  = "CRLTP Indénié-Djuablin"
)

// plan2023 has 30 activities; the demo marks 20 of them done, hence 67 %.
var plan2023 = []action{
	{"A5", "Installer les cellules régionales de lutte contre la traite des personnes", []activity{
		{title: "Installer la CRLTP du Tonkpi", unit: "CNLTP", regions: "Tonkpi", quarter: 1, budget: 4, deliverable: "Arrêté et procès-verbal d'installation", named: true},
		{title: "Installer la CRLTP de San Pedro", unit: "CNLTP", regions: "San Pedro", quarter: 1, budget: 4, deliverable: "Arrêté et procès-verbal d'installation", named: true},
		{title: "Installer la CRLTP du Gbêkê", unit: "CNLTP", regions: "Gbêkê", quarter: 2, budget: 4, deliverable: "Arrêté et procès-verbal d'installation", named: true},
		{title: "Installer la CRLTP de la Nawa", unit: "CNLTP", regions: "Nawa", quarter: 2, budget: 4, deliverable: "Arrêté et procès-verbal d'installation", named: true},
		{title: "Installer la CRLTP de l'Indénié-Djuablin", unit: "CNLTP", regions: "Indénié-Djuablin", quarter: 3, budget: 4, deliverable: "Arrêté et procès-verbal d'installation", named: true},
	}},
	{"A3", "Renforcer les capacités des acteurs de la chaîne pénale", []activity{
		{title: "Former les magistrats et officiers de police judiciaire à l'identification des cas de traite", unit: "CNLTP", partners: "EF-ALTP; MJDH", quarter: 2, budget: 12, deliverable: "Rapport de formation", named: true},
		{title: "Former les agents de la SDLTEDJ aux techniques d'enquête", unit: "SDLTEDJ", partners: "EF-ALTP", quarter: 3, budget: 8, deliverable: "Rapport de formation"},
		{title: "Élaborer un guide pratique de la procédure pénale en matière de traite", unit: "MJDH", partners: "CNLTP", quarter: 4, budget: 6, deliverable: "Guide validé"},
	}},
	{"A3", "Renforcer la répression de la traite", []activity{
		{title: "Appuyer le traitement judiciaire des dossiers de traite", unit: "MJDH", quarter: 4, budget: 5, deliverable: "Tableau de suivi des dossiers"},
		{title: "Mener des opérations contre les réseaux de traite", unit: "SDLTEDJ", regions: "San Pedro; Nawa", quarter: 3, budget: 15, deliverable: "Rapport d'opérations"},
	}},
	{"A2", "Renforcer les capacités des travailleurs sociaux", []activity{
		{title: "Former les travailleurs sociaux à la prise en charge des victimes", unit: "CNLTP", partners: "DPE", quarter: 2, budget: 9, deliverable: "Rapport de formation", named: true},
		{title: "Former les travailleurs sociaux des régions des CRLTP", unit: "DPE", regions: "Tonkpi; San Pedro", quarter: 3, budget: 7, deliverable: "Rapport de formation"},
	}},
	{"A4", "Renforcer les capacités des ONG et de la société civile", []activity{
		{title: "Former les ONG et la société civile à la lutte contre la traite", unit: "CNLTP", partners: "OSC", quarter: 2, budget: 6, deliverable: "Rapport de formation", named: true},
		{title: "Organiser une rencontre d'échanges avec les ONG partenaires", unit: "OSC", quarter: 4, budget: 3, deliverable: "Compte rendu"},
	}},
	{"A1", "Sensibiliser les populations sur la traite et le trafic illicite de migrants", []activity{
		{title: "Mener une campagne de sensibilisation dans le Tonkpi", unit: tonkpi, regions: "Tonkpi", quarter: 2, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Mener une campagne de sensibilisation à San Pedro", unit: sanPedro, regions: "San Pedro", quarter: 3, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Mener une campagne de sensibilisation dans le Gbêkê", unit: gbeke, regions: "Gbêkê", quarter: 3, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Mener une campagne de sensibilisation dans la Nawa", unit: nawa, regions: "Nawa", quarter: 4, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Mener une campagne de sensibilisation dans l'Indénié-Djuablin", unit: indenie, regions: "Indénié-Djuablin", quarter: 4, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Diffuser des messages radio en langues locales", unit: "CNLTP", regions: "Tonkpi; Nawa", quarter: 4, budget: 6, deliverable: "Plan de diffusion et attestations"},
	}},
	{"A1", "Produire des supports de communication", []activity{
		{title: "Concevoir et imprimer des affiches et dépliants", unit: "CNLTP", quarter: 1, budget: 4, deliverable: "Supports imprimés"},
		{title: "Animer la page d'information du CNLTP", unit: "CNLTP", quarter: 4, budget: 1, deliverable: "Publications"},
	}},
	{"A2", "Améliorer la prise en charge des victimes", []activity{
		{title: "Recenser les structures d'accueil des victimes", unit: "DPE", quarter: 2, budget: 3, deliverable: "Répertoire"},
		{title: "Équiper un centre de transit pour victimes", unit: "MCNSLP", partners: "EF-ALTP", quarter: 4, budget: 25, deliverable: "Procès-verbal de réception"},
	}},
	{"A4", "Coopérer avec les pays de la sous-région", []activity{
		{title: "Participer à la réunion sous-régionale du projet ALTP", unit: "CNLTP", partners: "EF-ALTP", quarter: 3, budget: 5, deliverable: "Rapport de mission"},
		{title: "Préparer la phase 2 du projet ALTP avec Expertise France", unit: "CNLTP", partners: "EF-ALTP", quarter: 4, budget: 2, deliverable: "Document de projet", named: true},
	}},
	{"A5", "Coordonner et suivre la mise en œuvre du plan d'actions", []activity{
		{title: "Tenir les sessions trimestrielles du CNLTP", unit: "CNLTP", quarter: 4, budget: 6, deliverable: "Comptes rendus"},
		{title: "Produire le rapport annuel 2023 du CNLTP", unit: "CNLTP", quarter: 4, budget: 3, deliverable: "Rapport annuel"},
		{title: "Mettre en place une base de données des cas de traite", unit: "CNLTP", partners: "SDLTEDJ", quarter: 4, budget: 10, deliverable: "Base de données opérationnelle"},
		{title: "Organiser une mission de suivi des CRLTP", unit: "CNLTP", regions: "Tonkpi; San Pedro; Gbêkê; Nawa; Indénié-Djuablin", quarter: 4, budget: 7, deliverable: "Rapport de mission"},
	}},
}

// plan2024 has 48 actions and 82 activities, as the article says.
var plan2024 = []action{
	{"A1", "Impliquer la société civile dans le signalement des cas de traite", []activity{
		{title: "Former les organisations de la société civile au signalement des cas", unit: "CNLTP", partners: "OSC", quarter: 1, budget: 6, deliverable: "Rapport de formation", named: true},
		{title: "Mettre en place un réseau communautaire de signalement", unit: "OSC", partners: "CNLTP", regions: "Tonkpi; Nawa", quarter: 2, budget: 8, deliverable: "Liste des points focaux"},
	}},
	{"A1", "Sensibiliser les populations des régions des CRLTP", []activity{
		{title: "Mener une campagne de sensibilisation dans le Tonkpi", unit: tonkpi, regions: "Tonkpi", quarter: 2, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Mener une campagne de sensibilisation à San Pedro", unit: sanPedro, regions: "San Pedro", quarter: 2, budget: 5, deliverable: "Rapport de campagne", named: true},
	}},
	{"A1", "Étendre la sensibilisation aux autres régions des CRLTP", []activity{
		{title: "Mener une campagne de sensibilisation dans le Gbêkê", unit: gbeke, regions: "Gbêkê", quarter: 3, budget: 5, deliverable: "Rapport de campagne", named: true},
		{title: "Mener une campagne de sensibilisation dans la Nawa", unit: nawa, regions: "Nawa", quarter: 3, budget: 5, deliverable: "Rapport de campagne", named: true},
	}},
	{"A1", "Sensibiliser dans l'Indénié-Djuablin", []activity{
		{title: "Mener une campagne de sensibilisation dans l'Indénié-Djuablin", unit: indenie, regions: "Indénié-Djuablin", quarter: 3, budget: 5, deliverable: "Rapport de campagne", named: true},
	}},
	{"A1", "Diffuser des messages dans les médias", []activity{
		{title: "Produire des spots radio en langues locales", unit: "CNLTP", quarter: 1, budget: 4, deliverable: "Spots produits"},
		{title: "Diffuser les spots sur les radios de proximité", unit: "CNLTP", regions: "Tonkpi; San Pedro; Gbêkê", quarter: 2, budget: 6, deliverable: "Attestations de diffusion"},
	}},
	{"A1", "Sensibiliser en milieu scolaire", []activity{
		{title: "Organiser des causeries dans les établissements scolaires", unit: "DPE", partners: "CNLTP", regions: "Gbêkê", quarter: 2, budget: 3, deliverable: "Rapport d'activité"},
		{title: "Former des enseignants relais", unit: "DPE", quarter: 3, budget: 4, deliverable: "Liste des enseignants formés"},
	}},
	{"A1", "Sensibiliser les acteurs économiques", []activity{
		{title: "Rencontrer les coopératives agricoles sur le travail des enfants", unit: "CNLTP", regions: "Nawa; Indénié-Djuablin", quarter: 3, budget: 4, deliverable: "Compte rendu"},
	}},
	{"A1", "Produire des supports de communication", []activity{
		{title: "Actualiser les affiches et dépliants", unit: "CNLTP", quarter: 1, budget: 3, deliverable: "Supports imprimés"},
		{title: "Réaliser un documentaire sur la traite", unit: "CNLTP", partners: "EF-ALTP", quarter: 4, budget: 12, deliverable: "Documentaire"},
	}},
	{"A1", "Commémorer la Journée mondiale de lutte contre la traite", []activity{
		{title: "Organiser la journée du 30 juillet", unit: "CNLTP", partners: "EF-ALTP; OSC", quarter: 3, budget: 10, deliverable: "Rapport de la journée"},
	}},
	{"A1", "Informer les migrants sur les risques du trafic illicite", []activity{
		{title: "Sensibiliser les candidats à la migration irrégulière", unit: "OSC", partners: "CNLTP", regions: "San Pedro", quarter: 2, budget: 4, deliverable: "Rapport d'activité"},
		{title: "Installer des points d'information dans les gares routières", unit: "CNLTP", regions: "Gbêkê; Indénié-Djuablin", quarter: 4, budget: 5, deliverable: "Points d'information installés"},
	}},
	{"A1", "Renforcer la communication du CNLTP", []activity{
		{title: "Animer le site et les réseaux sociaux du CNLTP", unit: "CNLTP", quarter: 4, budget: 2, deliverable: "Publications"},
		{title: "Publier une lettre d'information trimestrielle", unit: "CNLTP", quarter: 4, budget: 1, deliverable: "Lettres d'information"},
	}},
	{"A1", "Mobiliser les leaders communautaires et religieux", []activity{
		{title: "Tenir des rencontres avec les leaders communautaires", unit: tonkpi, regions: "Tonkpi", quarter: 2, budget: 3, deliverable: "Compte rendu"},
		{title: "Tenir des rencontres avec les leaders religieux", unit: nawa, regions: "Nawa", quarter: 3, budget: 3, deliverable: "Compte rendu"},
	}},
	{"A2", "Renforcer les capacités des travailleurs sociaux", []activity{
		{title: "Former les travailleurs sociaux à la prise en charge des victimes", unit: "DPE", partners: "CNLTP", quarter: 2, budget: 8, deliverable: "Rapport de formation", named: true},
		{title: "Former les travailleurs sociaux des régions des CRLTP", unit: "DPE", regions: "San Pedro; Gbêkê", quarter: 3, budget: 7, deliverable: "Rapport de formation"},
	}},
	{"A2", "Améliorer l'accueil des victimes", []activity{
		{title: "Équiper le centre de transit des victimes", unit: "MCNSLP", partners: "EF-ALTP", quarter: 2, budget: 20, deliverable: "Procès-verbal de réception"},
		{title: "Former le personnel du centre de transit", unit: "MCNSLP", quarter: 3, budget: 4, deliverable: "Rapport de formation"},
	}},
	{"A2", "Assurer l'assistance médicale et psychosociale", []activity{
		{title: "Conclure des conventions avec des centres de santé", unit: "MCNSLP", quarter: 2, budget: 2, deliverable: "Conventions signées"},
		{title: "Prendre en charge les soins des victimes identifiées", unit: "MCNSLP", quarter: 4, budget: 15, deliverable: "État des prises en charge"},
	}},
	{"A2", "Réinsérer les victimes", []activity{
		{title: "Financer des activités génératrices de revenus pour les victimes", unit: "MCNSLP", partners: "OSC", quarter: 4, budget: 18, deliverable: "Liste des bénéficiaires"},
		{title: "Accompagner la réinsertion scolaire des enfants victimes", unit: "DPE", quarter: 3, budget: 6, deliverable: "Liste des enfants réinsérés"},
	}},
	{"A2", "Organiser le retour des victimes étrangères", []activity{
		{title: "Appuyer le rapatriement volontaire des victimes étrangères", unit: "CNLTP", partners: "EF-ALTP", quarter: 4, budget: 10, deliverable: "Dossiers de rapatriement"},
	}},
	{"A2", "Harmoniser la prise en charge", []activity{
		{title: "Élaborer les procédures opérationnelles standards de prise en charge", unit: "CNLTP", partners: "DPE; EF-ALTP", quarter: 2, budget: 6, deliverable: "Procédures validées"},
		{title: "Valider les procédures avec les acteurs", unit: "CNLTP", quarter: 3, budget: 4, deliverable: "Procès-verbal de validation"},
	}},
	{"A2", "Identifier les victimes", []activity{
		{title: "Former les acteurs de première ligne à l'identification des victimes", unit: "CNLTP", partners: "SDLTEDJ", quarter: 2, budget: 6, deliverable: "Rapport de formation"},
		{title: "Diffuser un outil d'identification des victimes", unit: "CNLTP", quarter: 3, budget: 2, deliverable: "Outil diffusé"},
	}},
	{"A2", "Mettre en place une ligne d'écoute", []activity{
		{title: "Étudier la faisabilité d'une ligne verte", unit: "CNLTP", quarter: 2, budget: 3, deliverable: "Étude de faisabilité"},
		{title: "Former les futurs écoutants de la ligne verte", unit: "CNLTP", partners: "DPE", quarter: 4, budget: 3, deliverable: "Rapport de formation"},
	}},
	{"A2", "Protéger les enfants victimes", []activity{
		{title: "Renforcer les comités de protection de l'enfant", unit: indenie, partners: "DPE", regions: "Indénié-Djuablin", quarter: 3, budget: 4, deliverable: "Rapport d'activité"},
		{title: "Appuyer les familles d'accueil", unit: gbeke, partners: "DPE", regions: "Gbêkê", quarter: 4, budget: 5, deliverable: "Liste des familles d'accueil"},
	}},
	{"A2", "Suivre les victimes prises en charge", []activity{
		{title: "Tenir le registre de suivi des victimes", unit: "MCNSLP", quarter: 4, budget: 1, deliverable: "Registre à jour"},
	}},
	{"A3", "Renforcer les capacités des acteurs de la chaîne pénale", []activity{
		{title: "Former les magistrats à la loi sur la traite des personnes", unit: "MJDH", partners: "CNLTP; EF-ALTP", quarter: 2, budget: 10, deliverable: "Rapport de formation", named: true},
		{title: "Former les officiers de police judiciaire des régions", unit: "SDLTEDJ", partners: "EF-ALTP", regions: "Tonkpi; San Pedro; Nawa", quarter: 3, budget: 9, deliverable: "Rapport de formation"},
	}},
	{"A3", "Former les forces de défense et de sécurité aux frontières", []activity{
		{title: "Former les agents des postes frontières", unit: tonkpi, partners: "SDLTEDJ", regions: "Tonkpi", quarter: 3, budget: 6, deliverable: "Rapport de formation"},
	}},
	{"A3", "Renforcer les enquêtes", []activity{
		{title: "Doter la SDLTEDJ de moyens d'enquête", unit: "SDLTEDJ", partners: "EF-ALTP", quarter: 2, budget: 15, deliverable: "Procès-verbal de remise"},
		{title: "Mener des opérations contre les réseaux de traite", unit: "SDLTEDJ", regions: "San Pedro; Nawa", quarter: 4, budget: 12, deliverable: "Rapport d'opérations"},
	}},
	{"A3", "Améliorer le traitement judiciaire des dossiers", []activity{
		{title: "Suivre les dossiers de traite devant les juridictions", unit: "MJDH", partners: "CNLTP", quarter: 4, budget: 3, deliverable: "Tableau de suivi des dossiers"},
		{title: "Organiser des audiences foraines", unit: "MJDH", regions: "Gbêkê", quarter: 3, budget: 8, deliverable: "Rapport d'audiences"},
	}},
	{"A3", "Diffuser le cadre juridique", []activity{
		{title: "Vulgariser la loi de 2016 sur la traite des personnes", unit: "CNLTP", partners: "MJDH", quarter: 2, budget: 4, deliverable: "Supports de vulgarisation"},
	}},
	{"A3", "Renforcer la collecte des données judiciaires", []activity{
		{title: "Mettre en place un outil de collecte des données judiciaires", unit: "MJDH", partners: "CNLTP", quarter: 3, budget: 5, deliverable: "Outil opérationnel"},
		{title: "Former les greffiers à l'outil de collecte", unit: "MJDH", quarter: 4, budget: 3, deliverable: "Rapport de formation"},
	}},
	{"A3", "Lutter contre le trafic illicite de migrants", []activity{
		{title: "Former les agents à la détection du trafic illicite de migrants", unit: "SDLTEDJ", partners: "EF-ALTP", regions: "Indénié-Djuablin", quarter: 3, budget: 6, deliverable: "Rapport de formation"},
		{title: "Démanteler les filières de trafic de migrants", unit: "SDLTEDJ", quarter: 4, budget: 10, deliverable: "Rapport d'opérations"},
	}},
	{"A3", "Protéger les témoins et victimes dans la procédure", []activity{
		{title: "Élaborer un guide de protection des victimes témoins", unit: "MJDH", quarter: 4, budget: 4, deliverable: "Guide validé"},
	}},
	{"A3", "Saisir les avoirs des trafiquants", []activity{
		{title: "Former les enquêteurs aux enquêtes financières", unit: "SDLTEDJ", partners: "MJDH", quarter: 4, budget: 5, deliverable: "Rapport de formation"},
	}},
	{"A4", "Mettre en œuvre la phase 2 du projet ALTP", []activity{
		{title: "Lancer la phase 2 du projet ALTP avec Expertise France", unit: "CNLTP", partners: "EF-ALTP", quarter: 1, budget: 3, deliverable: "Procès-verbal de lancement", named: true},
		{title: "Tenir le comité de pilotage du projet ALTP", unit: "CNLTP", partners: "EF-ALTP", quarter: 4, budget: 4, deliverable: "Compte rendu"},
	}},
	{"A4", "Coopérer avec les pays de la sous-région", []activity{
		{title: "Participer à la réunion sous-régionale du Golfe de Guinée", unit: "CNLTP", partners: "EF-ALTP", quarter: 2, budget: 6, deliverable: "Rapport de mission"},
		{title: "Signer un accord de coopération avec un pays voisin", unit: "MCNSLP", partners: "CNLTP", quarter: 4, budget: 5, deliverable: "Accord signé"},
	}},
	{"A4", "Mobiliser les partenaires techniques et financiers", []activity{
		{title: "Organiser une table ronde des partenaires", unit: "CNLTP", partners: "EF-ALTP", quarter: 3, budget: 8, deliverable: "Compte rendu"},
		{title: "Élaborer un plan de mobilisation des ressources", unit: "CNLTP", quarter: 2, budget: 2, deliverable: "Plan validé"},
	}},
	{"A4", "Associer le secteur privé", []activity{
		{title: "Signer une charte d'engagement avec le secteur privé", unit: "CNLTP", quarter: 4, budget: 3, deliverable: "Charte signée"},
	}},
	{"A4", "Renforcer le partenariat avec les ONG", []activity{
		{title: "Organiser la rencontre annuelle avec les ONG", unit: "OSC", partners: "CNLTP", quarter: 3, budget: 3, deliverable: "Compte rendu"},
		{title: "Soutenir des projets d'ONG de lutte contre la traite", unit: "CNLTP", partners: "OSC", quarter: 4, budget: 10, deliverable: "Conventions de financement"},
	}},
	{"A4", "Partager les bonnes pratiques", []activity{
		{title: "Organiser un voyage d'études", unit: "CNLTP", partners: "EF-ALTP", quarter: 3, budget: 9, deliverable: "Rapport de voyage"},
	}},
	{"A4", "Rendre compte aux instances internationales", []activity{
		{title: "Produire le rapport national pour les instances internationales", unit: "CNLTP", partners: "MJDH", quarter: 4, budget: 2, deliverable: "Rapport transmis"},
		{title: "Répondre au questionnaire sur la traite des personnes", unit: "CNLTP", quarter: 2, budget: 1, deliverable: "Questionnaire renseigné"},
	}},
	{"A5", "Adapter les effectifs du CNLTP au volume des activités", []activity{
		{title: "Réaliser un diagnostic des ressources humaines du CNLTP", unit: "CNLTP", partners: "MCNSLP", quarter: 1, budget: 3, deliverable: "Rapport de diagnostic"},
		{title: "Redéployer le personnel selon le plan de charge", unit: "MCNSLP", partners: "CNLTP", quarter: 3, budget: 1, deliverable: "Note de service"},
	}},
	{"A5", "Doter le CNLTP d'un budget de fonctionnement", []activity{
		{title: "Élaborer la note de plaidoyer pour un budget de fonctionnement", unit: "CNLTP", quarter: 1, budget: 1, deliverable: "Note de plaidoyer"},
		{title: "Présenter le budget de fonctionnement au ministère", unit: "CNLTP", partners: "MCNSLP", quarter: 2, budget: 1, deliverable: "Projet de budget transmis"},
	}},
	{"A5", "Rendre opérationnelles les CRLTP", []activity{
		{title: "Équiper les cinq CRLTP", unit: "CNLTP", partners: "EF-ALTP", regions: "Tonkpi; San Pedro; Gbêkê; Nawa; Indénié-Djuablin", quarter: 2, budget: 25, deliverable: "Procès-verbaux de remise"},
		{title: "Former les membres des CRLTP", unit: "CNLTP", regions: "Tonkpi; San Pedro; Gbêkê; Nawa; Indénié-Djuablin", quarter: 2, budget: 10, deliverable: "Rapport de formation"},
	}},
	{"A5", "Planifier les activités des CRLTP", []activity{
		{title: "Élaborer le plan de travail de la CRLTP du Tonkpi", unit: tonkpi, regions: "Tonkpi", quarter: 1, budget: 1, deliverable: "Plan de travail"},
		{title: "Élaborer le plan de travail de la CRLTP de San Pedro", unit: sanPedro, regions: "San Pedro", quarter: 1, budget: 1, deliverable: "Plan de travail"},
	}},
	{"A5", "Tenir les sessions du CNLTP", []activity{
		{title: "Tenir les sessions trimestrielles du CNLTP", unit: "CNLTP", quarter: 4, budget: 6, deliverable: "Comptes rendus"},
		{title: "Tenir la session extraordinaire de revue à mi-parcours", unit: "CNLTP", quarter: 3, budget: 3, deliverable: "Compte rendu"},
	}},
	{"A5", "Suivre et évaluer la mise en œuvre du PTA", []activity{
		{title: "Organiser une mission de suivi des CRLTP", unit: "CNLTP", regions: "Gbêkê; Nawa; Indénié-Djuablin", quarter: 3, budget: 7, deliverable: "Rapport de mission"},
		{title: "Produire le rapport annuel 2024 du CNLTP", unit: "CNLTP", quarter: 4, budget: 3, deliverable: "Rapport annuel"},
	}},
	{"A5", "Gérer les données sur la traite", []activity{
		{title: "Alimenter la base de données des cas de traite", unit: "CNLTP", partners: "SDLTEDJ", quarter: 4, budget: 4, deliverable: "Base de données à jour"},
		{title: "Publier les statistiques annuelles sur la traite", unit: "CNLTP", quarter: 4, budget: 2, deliverable: "Bulletin statistique"},
	}},
	{"A5", "Préparer le bilan et le PTA de l'année suivante", []activity{
		{title: "Organiser l'atelier bilan 2024 et d'élaboration du PTA 2025", unit: "CNLTP", partners: "EF-ALTP", quarter: 4, budget: 12, deliverable: "Rapport d'atelier"},
	}},
	{"A5", "Évaluer la stratégie nationale 2022–2025", []activity{
		{title: "Recruter un consultant pour l'évaluation à mi-parcours", unit: "CNLTP", partners: "EF-ALTP", quarter: 3, budget: 6, deliverable: "Contrat signé"},
	}},
	{"A5", "Renforcer les capacités du secrétariat du CNLTP", []activity{
		{title: "Former le secrétariat à la gestion axée sur les résultats", unit: "CNLTP", partners: "EF-ALTP", quarter: 2, budget: 4, deliverable: "Rapport de formation"},
	}},
}
