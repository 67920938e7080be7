/** Perfect Gym API v2.2 rows as this project reads them (field names exactly as the API spells them). */
interface Tracked {
  id: number;
  isDeleted: boolean;
  version: number;
}

export interface PgClub extends Tracked {
  name: string;
  shortName: string | null;
  symbol: string | null;
  isHidden: boolean;
  timezoneId: string | null;
}

export interface PgMember extends Tracked {
  number: string | null;
  firstName: string | null;
  secondName: string | null;
  lastName: string | null;
  email: string | null;
  phoneNumber: string | null;
  birthdate: string | null;
  sex: string | null;
  homeClubId: number | null;
  isActive: boolean;
  memberType: 'Guest' | 'Member' | 'Lead' | string;
  createdDate: string | null;
}

export interface PgContract extends Tracked {
  memberId: number;
  paymentPlanId: number;
  clubId: number | null;
  signUpDate: string | null;
  startDate: string | null;
  endDate: string | null;
  cancelDate: string | null;
  status: 'Current' | 'Ended' | 'NotStarted' | 'Freezed' | string;
  isActive: boolean;
  isAdditionalContract: boolean;
}

export interface PgMemberProduct extends Tracked {
  memberId: number;
  productId: number;
  clubId: number | null;
  purchaseDate: string | null;
  expiryDate: string | null;
}

export interface PgVisit extends Tracked {
  memberId: number;
  clubId: number;
  enterDate: string;
  leaveDate: string | null;
  readerName: string | null;
}

export interface PgPaymentPlan extends Tracked {
  name: string;
  isActive: boolean;
  isAdditional: boolean;
}

export interface PgProduct extends Tracked {
  name: string;
  productType: string;
}

export type CredentialsStatus = 'Success' | 'NoAccount' | 'NoPassword' | 'InvalidUsernameOrPassword';
